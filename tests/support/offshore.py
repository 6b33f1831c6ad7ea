"""Factories for P4 tests: an offshore trader, its bank, its sources and a matching shipment
(a B/L, an overseas export declaration, the carrier's DCSA events), and check bodies."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from crossfin.core.db import Database
from crossfin.documents.models import Document
from crossfin.ledger.uow import Transactions
from crossfin.parties.models import OrgKind, Role, TradeClass
from crossfin.payments.offshore import service
from crossfin.payments.offshore.schemas import CheckIn
from support.financing import insert_document, uscc_of
from support.parties import Party, another_principal, make_party
from support.payments import caller_of

_seq = itertools.count(1)
CONTAINERS = ["MSKU1234565", "TGHU9876542"]


@dataclass
class Trader:
    enterprise: Party
    uscc: str
    banks: list[Party]
    auditor: Party
    regulator: Party
    carrier: Party
    overseas: Party

    @property
    def payer(self) -> Party:  # as support.payments.set_class names the enterprise
        return self.enterprise


@dataclass
class Shipment:
    bl: Document
    declaration: Document
    events: list[Document]


def make_trader(db: Database, banks: int = 2, trade_class: str = "A") -> Trader:
    enterprise = make_party(
        db, OrgKind.ENTERPRISE, Role.OPERATOR, jurisdiction="440305",
        trade_class=TradeClass(trade_class),
    )  # fmt: skip
    makers = [make_party(db, OrgKind.BANK, Role.OPERATOR) for _ in range(banks)]
    return Trader(
        enterprise,
        uscc_of(db, enterprise.org_id),
        makers,
        another_principal(db, makers[0].org_id, Role.AUDITOR),
        make_party(db, OrgKind.REGULATOR, Role.OPERATOR, jurisdiction="440000"),
        make_party(db, OrgKind.LOGISTICS),
        make_party(db, OrgKind.OVERSEAS_CUSTOMS),
    )


def make_shipment(
    db: Database,
    t: Trader,
    *,
    containers: list[str] | None = None,
    declaration: dict[str, Any] | None = None,
    departed: str = "2026-11-04T02:00:00Z",
    events: bool = True,
    cargo_value: str | None = None,
) -> Shipment:
    n = next(_seq)
    bl_no, boxes = f"BDCL26{n:06d}", containers or list(CONTAINERS)
    bl = insert_document(
        db,
        "bill_of_lading",
        {
            "bl_no": bl_no,
            "shipper_uscc": t.uscc,
            "consignee": "Lion City Trading Pte Ltd",
            "port_of_loading": "DEHAM",
            "port_of_discharge": "SGSIN",
            "vessel": "King of the Seas",
            "voyage": "2103S",
            "containers": boxes,
            "issue_date": "2026-11-03",
            "negotiable": True,
        }
        | ({} if cargo_value is None else {"cargo_value": cargo_value, "currency": "EUR"}),
        t.carrier.org_id,
        t.enterprise.org_id,
    )
    record = {
        "declaration_no": f"26DE{n:012d}A1",
        "declaring_country": "DE",
        "declaration_type": "export",
        "enterprise_uscc": t.uscc,
        "exporter_name": "Rhein Maschinen GmbH",
        "exporter_country": "DE",
        "importer_name": "Lion City Trading Pte Ltd",
        "importer_country": "SG",
        "transport_document_no": bl_no,
        "vessel": "KING OF THE SEAS",
        "vessel_imo": "9321483",
        "voyage": "2103S",
        "port_of_loading": "DEHAM",
        "port_of_discharge": "SGSIN",
        "containers": boxes,
        "goods_description": "CNC milling machines",
        "hs_code": "845961",
        "quantity": "12",
        "quantity_unit": "PCE",
        "gross_weight_kg": "18400",
        "invoice_value": "960000.00",
        "currency": "EUR",
        "acceptance_date": "2026-11-02",
    } | (declaration or {})
    decl = insert_document(
        db, "overseas_customs_declaration", record, t.overseas.org_id, t.enterprise.org_id
    )
    found = [event(db, t, bl_no, "TRANSPORT", "DEPA", departed, "DEHAM")] if events else []
    if events:
        found += [
            event(db, t, bl_no, "EQUIPMENT", "LOAD", "2026-11-03T10:00:00Z", "DEHAM", box)
            for box in boxes
        ]
        found.append(event(db, t, bl_no, "TRANSPORT", "ARRI", "2026-12-01T06:00:00Z", "SGSIN"))
    return Shipment(bl, decl, found)


def event(
    db: Database,
    t: Trader,
    bl_no: str,
    kind: str,
    code: str,
    when: str,
    place: str,
    box: str | None = None,
    classifier: str = "ACT",
    **more: Any,
) -> Document:
    record = (
        {
            "event_id": f"EV-{next(_seq):08d}",
            "event_type": kind,
            "classifier": classifier,
            "event_code": code,
            "event_datetime": when,
            "party_uscc": t.uscc,
            "carrier": "Maersk",
            "location": place,
            "vessel": "King of the Seas",
            "vessel_imo": "9321483",
            "voyage": "2103S",
            "transport_document_refs": [bl_no],
        }
        | ({"equipment": box} if box else {})
        | more
    )
    return insert_document(db, "transport_event", record, t.carrier.org_id, t.enterprise.org_id)


def check_body(t: Trader, s: Shipment, **changes: Any) -> dict[str, Any]:
    body = {
        "external_ref": f"OFF-{next(_seq):08d}",
        "enterprise_uscc": t.uscc,
        "contract": {
            "number": "SC-2026-118",
            "amount": "1020000.00",
            "currency": "EUR",
            "buyer": {"name": "Lion City Trading Pte. Ltd.", "country": "SG"},
            "seller": {"name": "Rhein Maschinen GmbH", "country": "DE"},
        },
        "bill_of_lading": s.bl.key,
        "declaration": s.declaration.key,
        "containers": list(CONTAINERS),
        "goods": {
            "hs_code": "8459.61",
            "description": "CNC milling machines",
            "quantity": "12",
            "unit": "PCE",
            "gross_weight_kg": "18650",
        },
    }
    body.update(changes)
    return body


def run_check(db: Database, party: Party, body: dict[str, Any]) -> service.Outcome:
    """Run a check as `party` through the one use-case function; its outcome."""
    caller = caller_of(db, party)
    outcome, _ = service.check_offshore(
        Transactions.own(db, caller.actor), caller, CheckIn.model_validate(body)
    )
    return outcome
