"""Factories for payment tests: forwarders, freight invoices from the tax source, bodies."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from typing import Any

import openpyxl

from crossfin.core.db import Database
from crossfin.documents.models import Document
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.classes import service as classes
from crossfin.parties.credentials import authenticate_key, present
from crossfin.parties.models import OrgKind, Role, TradeClass
from support.financing import insert_document, uscc_of
from support.parties import Party, another_principal, make_party

_seq = itertools.count(1)
SELLER = "91440300MA5DC6QX9C"
PAYEE = {"name": "Maersk A/S", "country": "DK", "account": "DK5000400440116243", "bic": "DABADKKK"}


@dataclass
class Forwarders:
    """A forwarder (payer), the tax source, and banks each with a maker and a checker."""

    payer: Party
    uscc: str
    tax: Party
    banks: list[Party]
    checkers: list[Party]
    regulator: Party


def make_forwarders(
    db: Database, banks: int = 2, county: str = "440305", trade_class: str = "A"
) -> Forwarders:
    payer = make_party(
        db,
        OrgKind.ENTERPRISE,
        Role.OPERATOR,
        jurisdiction=county,
        trade_class=TradeClass(trade_class),
    )
    makers = [make_party(db, OrgKind.BANK, Role.OPERATOR) for _ in range(banks)]
    checkers = [another_principal(db, b.org_id, Role.APPROVER) for b in makers]
    return Forwarders(
        payer,
        uscc_of(db, payer.org_id),
        make_party(db, OrgKind.TAX),
        makers,
        checkers,
        make_party(db, OrgKind.REGULATOR, Role.OPERATOR, jurisdiction="440000"),
    )


def freight_invoice(
    db: Database,
    fw: Forwarders,
    amount: str = "8000.00",
    tax: str = "480.00",
    *,
    category: str = "freight",
    buyer: str | None = None,
) -> Document:
    record = {
        "invoice_no": f"2544200000{next(_seq):010d}",
        "seller_uscc": SELLER,
        "buyer_uscc": buyer or fw.uscc,
        "currency": "CNY",
        "amount": amount,
        "tax_amount": tax,
        "issue_date": "2026-11-20",
        "category": category,
    }
    return insert_document(db, "vat_invoice", record, fw.tax.org_id, fw.payer.org_id)


def claim(doc: Document, amount: str = "8000.00", tax: str = "480.00", **more: str) -> dict:
    return {
        "kind": "vat_invoice",
        "key": doc.key,
        "fields": {"amount": amount, "tax_amount": tax} | more,
    }


def payment_body(
    fw: Forwarders,
    docs: list[Document],
    amount: str = "1000.00",
    *,
    ref: str | None = None,
    claims: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A PaymentIn body (JSON-able), USD paid against CNY invoices at a given rate."""
    return {
        "scenario": "P3",
        "external_ref": ref or f"FRT-{next(_seq):08d}",
        "payer_uscc": fw.uscc,
        "payee": dict(PAYEE),
        "amount": amount,
        "currency": "USD",
        "purpose_code": "121010",
        "documents": claims or [claim(d) for d in docs],
        "fx_rates": {"USD/CNY": "7.10"},
        **extra,
    }


def caller_of(db: Database, party: Party) -> Caller:
    with db.session(readonly=True) as session:
        caller, _ = authenticate_key(session, present(party.key))
    return caller


_reasons = itertools.count(1)


def set_class(db: Database, fw: Forwarders, trade_class: str) -> None:
    """The regulator over the payer changes its class (through the service)."""
    regulator = caller_of(db, fw.regulator)
    with UnitOfWork(db, regulator.actor) as uow:
        change = classes.ClassChange(trade_class, f"test {next(_reasons)}")
        classes.classify(uow, regulator, fw.payer.org_id, change)
        uow.commit()


def submit(db: Database, party: Party, *bodies: dict[str, Any], bulk: bool = False) -> list[Any]:
    """Submit `bodies` as `party` through the one submission function; the outcomes."""
    from crossfin.ledger.uow import Transactions
    from crossfin.payments import submission
    from crossfin.payments.schemas import PaymentIn

    caller = caller_of(db, party)
    outcomes, _ = submission.submit(
        Transactions.own(db, caller.actor),
        caller,
        [PaymentIn.model_validate(b) for b in bodies],
        bulk=bulk,
    )
    return outcomes


HEADER = [
    "external_ref",
    "payer_uscc",
    "payee_name",
    "payee_country",
    "payee_account",
    "payee_bic",
    "amount",
    "currency",
    "fx_rate",
    "invoice_no",
    "invoice_amount",
    "invoice_tax_amount",
]


def row(
    fw: Forwarders, doc: Document, ref: str, amount: str = "1000.00", inv_amount: str = "8000.00"
) -> list[str]:
    """One template row paying `doc` (the header is HEADER)."""
    return [
        ref,
        fw.uscc,
        PAYEE["name"],
        PAYEE["country"],
        PAYEE["account"],
        PAYEE["bic"],
        amount,
        "USD",
        "7.10",
        doc.key,
        inv_amount,
        "480.00",
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SERVICE_PAYEE = {"name": "Acme Consulting GmbH", "country": "DE", "bic": "DEUTDEFF"}


def tax_filing(
    db: Database,
    fw: Forwarders,
    contract: str = "100000.00",
    currency: str = "USD",
    *,
    code: str = "A1B2C3D4",
    payer: str | None = None,
) -> Document:
    """A service-trade tax filing of the payer (contract amount `contract`), from tax."""
    record = {
        "filing_no": f"44030026{next(_seq):08d}",
        "verification_code": code,
        "payer_uscc": payer or fw.uscc,
        "payee_name": SERVICE_PAYEE["name"],
        "payee_country": SERVICE_PAYEE["country"],
        "currency": currency,
        "contract_amount": contract,
        "item_type": "technical services",
        "filing_date": "2026-11-20",
    }
    return insert_document(db, "tax_filing", record, fw.tax.org_id, fw.payer.org_id)


def p2_body(
    fw: Forwarders,
    filing: Document | None,
    amount: str = "30000.00",
    *,
    code: str | None = "A1B2C3D4",
    ref: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A P2 PaymentIn body (JSON-able): USD paid against `filing` (None: no filing)."""
    fields = {} if code is None else {"verification_code": code}
    documents = (
        [] if filing is None else [{"kind": "tax_filing", "key": filing.key, "fields": fields}]
    )
    return {
        "scenario": "P2",
        "external_ref": ref or f"SVC-{next(_seq):08d}",
        "payer_uscc": fw.uscc,
        "payee": dict(SERVICE_PAYEE),
        "amount": amount,
        "currency": "USD",
        "purpose_code": "228010",
        "documents": documents,
        "fx_rates": {"USD/CNY": "7.10"},
        **extra,
    }


def storm_worker(url, caller_fields, bodies, barrier, queue) -> None:  # type: ignore[no-untyped-def]
    """One process of a service-layer storm: submit `bodies` as the bank maker, after
    the barrier; put each outcome's problem slug (or "ok") on `queue`."""
    from crossfin.assembly import assemble
    from crossfin.core.db import Database
    from crossfin.ledger.uow import Transactions
    from crossfin.parties.access import Caller
    from crossfin.parties.models import OrgKind, Role
    from crossfin.payments import submission
    from crossfin.payments.schemas import PaymentIn

    caller = Caller(
        caller_fields["principal_id"], "storm", Role.OPERATOR, caller_fields["org_id"],
        OrgKind.BANK, None,
    )  # fmt: skip
    assemble()  # as every entry point does: the statistics' upkeep among the hooks
    db = Database(url)
    barrier.wait()
    try:
        for body in bodies:
            [out], _ = submission.submit(
                Transactions.own(db, caller.actor), caller, [PaymentIn.model_validate(body)]
            )
            queue.put(getattr(out, "slug", "ok"))
    except Exception as exc:  # noqa: BLE001  (surfaced to the test)
        queue.put(f"error: {exc!r}")
    finally:
        db.dispose()
