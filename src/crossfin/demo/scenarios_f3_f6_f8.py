"""Demo cases of F3, F6 and F8, through the same use cases as the API.

Lotus (a Shenzhen electronics firm) imports chips on cash-on-delivery terms (F3: an import
declaration from Shenzhen customs), ships laptops to Duisburg by the China-Europe Railway
Express (F6: a CIM/SMGS consignment note, published by the demo carrier, a logistics
source acting as the rail operator's relay) and pledges aluminium held in the demo port
warehouse (F8: a receipt). The sources publish signed batches as demo/documents.py does
(their own batch references, so the main demo batches are untouched); bank 1 registers,
approves and disburses; on F8, 40 % is repaid, 40 % of the goods released, and the
warehouse's revaluation takes the loan-to-value above the cap: an alert and a notice.

Dates are the load's business date (documents dated a few days before), so F3's and F6's
age caps hold whenever the demo loads; the due dates are 60 days on. Idempotent: a
published batch or a registered financing (bank, external_ref) is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.documents import source_signer
from crossfin.demo.trade import Record
from crossfin.documents import records, versions
from crossfin.documents.ingest import batches, service
from crossfin.financing import registration, transitions
from crossfin.financing.models import Financing
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.financing.service import DEFAULT_RESERVATION_HOURS
from crossfin.financing.warehouse.schemas import GoodsReleaseIn
from crossfin.financing.warehouse.service import release_goods
from crossfin.ledger.note import sign_note
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.credentials import caller_for, find_principal
from crossfin.parties.models import Principal, PrincipalKind

FIRM, BANK = "lotus", "bank1"
RECEIPT_NO, NOTE_NO = "BLP-WR-2026-0088", "CIM-CQDUI-2026-00417"
TENOR_DAYS = 60


@dataclass(frozen=True)
class Published:
    """The demo's documents, their keys, and how many the load added."""

    declaration_no: str
    added: int


def _feed(uow: UnitOfWork, org_id: int, kind: str) -> Caller:
    principal = find_principal(uow.session, org_id, PrincipalKind.SERVICE, f"{kind}-feed")
    return caller_for(uow.session, principal)


def _user(uow: UnitOfWork, username: str) -> Caller:
    query = select(Principal).where(
        Principal.username == username, Principal.kind == PrincipalKind.USER.value
    )
    return caller_for(uow.session, uow.session.scalars(query).one())


def _records(uscc: str, today: date) -> dict[tuple[str, str], Record]:
    """(source, kind) -> the one record it publishes."""
    day = (today - timedelta(days=5)).isoformat()
    return {
        ("customs-sz", "customs_declaration"): {
            "declaration_no": f"5316{today.year}1{880017:09d}",
            "enterprise_uscc": uscc,
            "buyer_name": "Hsinchu Semiconductor Co., Ltd.",
            "buyer_country": "TW",
            "currency": "USD",
            "total_value": "250000.00",
            "export_date": day,
            "trade_mode": "0110",
        },
        ("carrier", "rail_consignment_note"): {
            "consignment_no": NOTE_NO,
            "consignor_uscc": uscc,
            "consignee": "Duisburg Intermodal GmbH",
            "departure_station": "Chongqing Tuanjiecun",
            "departure_country": "CN",
            "destination_station": "Duisburg Hbf",
            "destination_country": "DE",
            "border_crossing": "Alashankou/Dostyk",
            "containers": ["CSQU3054383"],
            "goods": "laptop computers",
            "gross_weight_kg": "18250.5",
            "packages": 640,
            "value": "600000.00",
            "currency": "USD",
            "acceptance_date": day,
            "dispatch_date": day,
        },
        ("warehouse", "warehouse_receipt"): _receipt(uscc, day, "5000000.00"),
    }


def _receipt(uscc: str, day: str, valuation: str) -> Record:
    return {
        "receipt_no": RECEIPT_NO,
        "owner_uscc": uscc,
        "warehouse": "Beilun Bonded Port Warehouse",
        "location": "Zone C, bay 4",
        "goods": "aluminium ingots",
        "quantity": "400",
        "unit": "t",
        "valuation": valuation,
        "currency": "CNY",
        "issue_date": day,
    }


def _publish(uow: UnitOfWork, org_ids: dict[str, int], data_dir: Path, uscc: str) -> Published:
    """Each source signs and publishes its one-record batch, unless already published."""
    added, declaration_no = 0, ""
    kinds = {o.key: o.kind for o in demo_orgs()}
    for (source, kind), record in _records(uscc, business_date()).items():
        if kind == "customs_declaration":
            declaration_no = record["declaration_no"]
        ref = f"demo-f3f6f8-{source}-{kind}"
        caller = _feed(uow, org_ids[source], kinds[source])
        existing = batches.find_batch(uow.session, caller.org_id, ref)
        if existing is not None and existing.status in batches.TERMINAL:
            continue
        root = root_hash([leaf_hash(records.record_digest(record))])
        text = records.Manifest(kind, ref, 1, root).text()
        manifest = sign_note(text, [source_signer(data_dir, source)])
        with uow.acting_as(caller.actor):
            done = service.submit_batch(
                Transactions.within(uow),
                caller,
                manifest,
                json.dumps(record, ensure_ascii=False) + "\n",
                csv_format=False,
                mode="atomic",
            )
        if done.receipt is None:
            raise RuntimeError(f"demo batch {ref} was not published: {done.batch.reason}")
        added += done.batch.accepted
    return Published(declaration_no, added)


def load_scenarios(uow: UnitOfWork, org_ids: dict[str, int], data_dir: Path) -> tuple[int, int]:
    """Publish the three documents and finance them; (documents, financings) added."""
    uscc = next(o.uscc for o in demo_orgs() if o.key == FIRM)
    assert uscc is not None
    published = _publish(uow, org_ids, data_dir, uscc)
    plans = (
        ("demo-F3-1", "F3", "180000.00", "USD", ("customs_declaration", published.declaration_no)),
        ("demo-F6-1", "F6", "400000.00", "USD", ("rail_consignment_note", NOTE_NO)),
        ("demo-F8-1", "F8", "3000000.00", "CNY", ("warehouse_receipt", RECEIPT_NO)),
    )
    added = 0
    for ref, scenario, amount, currency, (kind, key) in plans:
        if _exists(uow, org_ids[BANK], ref):
            continue
        data = FinancingIn(
            scenario=scenario,
            external_ref=ref,
            enterprise_uscc=uscc,
            amount=amount,
            currency=currency,
            documents=[DocumentShareIn(kind=kind, key=key)],
        )
        fid = _register_and_pay_out(uow, data)
        if scenario == "F8":
            _repay_release_revalue(uow, org_ids, fid, uscc)
        added += 1
    return published.added, added


def _exists(uow: UnitOfWork, bank_id: int, ref: str) -> bool:
    query = select(Financing.id).where(
        Financing.bank_org_id == bank_id, Financing.external_ref == ref
    )
    return uow.session.scalar(query) is not None


def _register_and_pay_out(uow: UnitOfWork, data: FinancingIn) -> int:
    maker, checker = _user(uow, f"{BANK}.operator"), _user(uow, f"{BANK}.approver")
    with uow.acting_as(maker.actor):
        [outcome] = registration.register_applications(
            Transactions.within(uow),
            [registration.Application(maker, data)],
            DEFAULT_RESERVATION_HOURS,
        )
    fid = registration.registered(outcome).financing.id
    with uow.acting_as(checker.actor):
        transitions.approve(uow, checker, fid, "documents verified")
    due = business_date() + timedelta(days=TENOR_DAYS)
    with uow.acting_as(maker.actor):
        transitions.disburse(uow, maker, fid, due)
    return fid


def _repay_release_revalue(uow: UnitOfWork, org_ids: dict[str, int], fid: int, uscc: str) -> None:
    """40 % repaid, 160 of the 400 t released, then the warehouse revalues the receipt at
    CNY 2.3 million: 1.8 million outstanding is an LTV of 0.78, above the 0.75 cap."""
    maker = _user(uow, f"{BANK}.operator")
    with uow.acting_as(maker.actor):
        transitions.repay(uow, maker, fid, "1200000.00")
        release_goods(uow, maker, fid, GoodsReleaseIn(reference="REL-0001", quantity="160"))
    warehouse = _feed(uow, org_ids["warehouse"], "logistics")
    day = (business_date() - timedelta(days=5)).isoformat()
    with uow.acting_as(warehouse.actor):
        versions.amend(
            uow,
            warehouse,
            "warehouse_receipt",
            RECEIPT_NO,
            _receipt(uscc, day, "2300000.00"),
            "monthly revaluation at the LME aluminium price",
        )
