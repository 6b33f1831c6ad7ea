"""Factories for financing tests: documents inserted straight into the registry tables.

Content goes through the kinds registry's validation, so it is exactly what ingestion
would store; the document rows are then written via the ORM (no batch, no signature).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import business_date as today  # re-exported for the tests
from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentVersion
from crossfin.documents.refs import replace_refs
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization, OrgKind, Role
from support.parties import TEST_ACTOR, Party, another_principal, make_party

_seq = itertools.count(1)
CONTAINER = "CSQU3054383"  # ISO 6346's own worked example: valid check digit


def uscc_of(db: Database, org_id: int) -> str:
    with db.session(readonly=True) as session:
        org = session.get(Organization, org_id)
        assert org is not None and org.uscc
        return org.uscc


@dataclass
class Firms:
    """An exporter, sources, and banks each with a maker and a checker."""

    enterprise: Party
    uscc: str
    customs: Party
    insurer: Party
    logistics: Party
    banks: list[Party]
    checkers: list[Party]


def make_firms(db: Database, banks: int = 2, county: str = "440305") -> Firms:
    enterprise = make_party(db, OrgKind.ENTERPRISE, Role.OPERATOR, jurisdiction=county)
    makers = [make_party(db, OrgKind.BANK, Role.OPERATOR) for _ in range(banks)]
    checkers = [another_principal(db, b.org_id, Role.APPROVER) for b in makers]
    return Firms(
        enterprise,
        uscc_of(db, enterprise.org_id),
        make_party(db, OrgKind.CUSTOMS),
        make_party(db, OrgKind.INSURER),
        make_party(db, OrgKind.LOGISTICS),
        makers,
        checkers,
    )


def insert_document(
    db: Database,
    kind: str,
    record: dict[str, Any],
    source_org_id: int,
    owner_org_id: int | None = None,
) -> Document:
    """Validate `record` as `kind` and store it as version 1 (owner linked when given)."""
    spec = get_kind(kind)
    content = spec.validate(record)
    value, currency = spec.value_of(content)
    raw = canonical_json(content)
    now = utcnow()
    with UnitOfWork(db, TEST_ACTOR) as uow:
        owner = uow.session.get(Organization, owner_org_id) if owner_org_id else None
        doc = Document(
            kind=kind,
            key=spec.key_of(content),
            source_org_id=source_org_id,
            owner_uscc=spec.owner_uscc_of(content),
            owner_org_id=owner_org_id,
            jurisdiction_path=owner.jurisdiction_path if owner else None,
            version=1,
            value_minor=value,
            currency=currency,
            single_use=spec.single_use,
            digest=hashlib.sha256(raw).digest(),
            created_at=now,
            updated_at=now,
        )
        uow.session.add(doc)
        uow.session.flush()
        uow.session.add(
            DocumentVersion(
                document_id=doc.id,
                version=1,
                content=raw.decode(),
                record_digest=hashlib.sha256(raw).digest(),
                value_minor=value,
                currency=currency,
                created_at=now,
            )
        )
        replace_refs(uow.session, spec, doc.id, content)  # as publication indexes them
        uow.commit()
    return doc


def declaration_no(export: bool = True, year: int | None = None) -> str:
    year = year or today().year
    return f"5301{year}{'0' if export else '1'}{next(_seq):09d}"


def declaration(
    db: Database,
    firms: Firms,
    value: str = "100000.00",
    currency: str = "USD",
    *,
    export: bool = True,
    shipped: date | None = None,
    owner_uscc: str | None = None,
) -> Document:
    record = {
        "declaration_no": declaration_no(export),
        "enterprise_uscc": owner_uscc or firms.uscc,
        "buyer_name": "Rotterdam Trading B.V.",
        "buyer_country": "NL",
        "currency": currency,
        "total_value": value,
        "export_date": (shipped or today()).isoformat(),
        "trade_mode": "0110",
    }
    return insert_document(
        db, "customs_declaration", record, firms.customs.org_id, firms.enterprise.org_id
    )


def policy(
    db: Database,
    firms: Firms,
    declarations: list[Document],
    credit_limit: str = "1000000.00",
    currency: str = "USD",
    valid_from: date | None = None,
    valid_to: date | None = None,
    coverage: str = "0.90",
) -> Document:
    start = valid_from or today() - timedelta(days=30)
    record = {
        "policy_no": f"SIN-{next(_seq):06d}",
        "insured_uscc": firms.uscc,
        "buyer_name": "Rotterdam Trading B.V.",
        "buyer_country": "NL",
        "currency": currency,
        "credit_limit": credit_limit,
        "coverage_ratio": coverage,
        "valid_from": start.isoformat(),
        "valid_to": (valid_to or today() + timedelta(days=335)).isoformat(),
        "declarations": [d.key for d in declarations],
    }
    return insert_document(
        db, "insurance_policy", record, firms.insurer.org_id, firms.enterprise.org_id
    )


def bill_of_lading(
    db: Database,
    firms: Firms,
    *,
    negotiable: bool = True,
    cargo_value: str | None = None,
    currency: str = "USD",
) -> Document:
    record: dict[str, Any] = {
        "bl_no": f"COSU{next(_seq):08d}",
        "shipper_uscc": firms.uscc,
        "consignee": "TO ORDER",
        "port_of_loading": "CNSZX",
        "port_of_discharge": "NLRTM",
        "vessel": "COSCO SHIPPING ARIES",
        "voyage": "042W",
        "containers": [CONTAINER],
        "issue_date": today().isoformat(),
        "negotiable": negotiable,
    }
    if cargo_value is not None:
        record |= {"cargo_value": cargo_value, "currency": currency}
    return insert_document(
        db, "bill_of_lading", record, firms.logistics.org_id, firms.enterprise.org_id
    )


def warehouse_receipt(
    db: Database, firms: Firms, valuation: str = "200000.00", currency: str = "CNY"
) -> Document:
    record = {
        "receipt_no": f"QZP-WR-{next(_seq):06d}",
        "owner_uscc": firms.uscc,
        "warehouse": "Qinzhou Port Cloud Warehouse",
        "location": "Zone B, bay 12",
        "goods": "aluminium ingots",
        "quantity": "120.5",
        "unit": "t",
        "valuation": valuation,
        "currency": currency,
        "issue_date": today().isoformat(),
    }
    return insert_document(
        db, "warehouse_receipt", record, firms.logistics.org_id, firms.enterprise.org_id
    )


def application(
    firms: Firms,
    docs: list[Document],
    amount: str,
    *,
    scenario: str = "F1",
    currency: str = "USD",
    ref: str | None = None,
    amounts: list[str | None] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A FinancingIn body (JSON-able)."""
    shares = [{"kind": d.kind, "key": d.key} for d in docs]
    for share, value in zip(shares, amounts or [], strict=False):
        if value is not None:
            share["amount"] = value
    return {
        "scenario": scenario,
        "external_ref": ref or f"LN-{next(_seq):08d}",
        "enterprise_uscc": firms.uscc,
        "amount": amount,
        "currency": currency,
        "documents": shares,
        **extra,
    }


def balance_row(db: Database, doc: Document) -> tuple[int, int]:
    """(used_minor, active_uses) of a document, (0, 0) without a row."""
    from crossfin.documents.models import DocumentBalance

    with db.session(readonly=True) as session:
        row = session.scalar(select(DocumentBalance).where(DocumentBalance.document_id == doc.id))
        return (row.used_minor, row.active_uses) if row else (0, 0)


def rail_note(
    db: Database,
    firms: Firms,
    value: str | None = "300000.00",
    currency: str = "USD",
    *,
    accepted: date | None = None,
    destination_country: str = "DE",
) -> Document:
    """A CIM/SMGS consignment note of a Chongqing-Duisburg train (F6)."""
    record: dict[str, Any] = {
        "consignment_no": f"CQ-DUI-{next(_seq):07d}",
        "consignor_uscc": firms.uscc,
        "consignee": "Duisburg Intermodal GmbH",
        "departure_station": "Chongqing Tuanjiecun",
        "departure_country": "CN",
        "destination_station": "Duisburg Hbf",
        "destination_country": destination_country,
        "border_crossing": "Alashankou/Dostyk",
        "containers": [CONTAINER],
        "goods": "laptop computers",
        "gross_weight_kg": "18250.5",
        "packages": 640,
        "acceptance_date": (accepted or today()).isoformat(),
    }
    if value is not None:
        record |= {"value": value, "currency": currency}
    return insert_document(
        db, "rail_consignment_note", record, firms.logistics.org_id, firms.enterprise.org_id
    )
