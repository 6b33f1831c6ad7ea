"""Factories for registry documents: rows inserted through the ORM, content validated.

These bypass signed batches on purpose: the access side's tests need documents, not the
ingestion pipeline. Content is the kind's normalised record in canonical JSON, exactly
as publication stores it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization
from support.parties import TEST_ACTOR
from support.server import serve

_seq = itertools.count(1)


def declaration_record(uscc: str, n: int, **overrides: Any) -> dict[str, Any]:
    record = {
        "declaration_no": f"53162026000{n:07d}",
        "enterprise_uscc": uscc,
        "buyer_name": "Hanseatic Import GmbH",
        "buyer_country": "DE",
        "currency": "USD",
        "total_value": "125000.00",
        "export_date": "2026-03-02",
        "bill_no": "MSKU1234567",
        "trade_mode": "0110",
    }
    return record | overrides


def invoice_record(uscc: str, n: int, **overrides: Any) -> dict[str, Any]:
    record = {
        "invoice_no": f"2644200000{n:010d}",
        "seller_uscc": "91440300MA5DC6QX9C",
        "buyer_uscc": uscc,
        "currency": "CNY",
        "amount": "80000.00",
        "tax_amount": "10400.00",
        "issue_date": "2026-03-05",
        "category": "freight",
    }
    return record | overrides


def lading_record(uscc: str, n: int, **overrides: Any) -> dict[str, Any]:
    record = {
        "bl_no": f"MAEU{n:09d}",
        "shipper_uscc": uscc,
        "consignee": "Hanseatic Import",
        "port_of_loading": "CNSZX",
        "port_of_discharge": "DEHAM",
        "vessel": "MAERSK EDO",
        "voyage": "612W",
        "issue_date": "2026-03-03",
        "negotiable": True,
    }
    return record | overrides


RECORDS = {
    "customs_declaration": declaration_record,
    "vat_invoice": invoice_record,
    "bill_of_lading": lading_record,
}


@dataclass
class Doc:
    id: int
    kind: str
    key: str
    content: dict[str, Any]


def org_uscc(db: Database, org_id: int) -> str:
    with db.session(readonly=True) as session:
        org = session.get(Organization, org_id)
        assert org is not None and org.uscc
        return org.uscc


def make_document(
    db: Database,
    kind: str,
    *,
    source_org_id: int,
    owner_org_id: int | None,
    owner_uscc: str | None = None,
    **overrides: Any,
) -> Doc:
    """Publish one document of `kind` owned by `owner_org_id` (or an unregistered USCC)."""
    with UnitOfWork(db, TEST_ACTOR) as uow:
        session = uow.session
        owner = session.get(Organization, owner_org_id) if owner_org_id else None
        uscc = owner.uscc if owner is not None else owner_uscc
        assert uscc
        spec = get_kind(kind)
        content = spec.validate(RECORDS[kind](uscc, next(_seq), **overrides))
        value, currency = spec.value_of(content)
        body = canonical_json(content)
        now = utcnow()
        doc = Document(
            kind=kind,
            key=spec.key_of(content),
            source_org_id=source_org_id,
            owner_uscc=uscc,
            owner_org_id=owner.id if owner else None,
            jurisdiction_path=owner.jurisdiction_path if owner else None,
            version=1,
            value_minor=value,
            currency=currency,
            single_use=spec.single_use,
            digest=hashlib.sha256(body).digest(),
            created_at=now,
            updated_at=now,
        )
        session.add(doc)
        session.flush()
        session.add(
            DocumentVersion(
                document_id=doc.id,
                version=1,
                content=body.decode(),
                record_digest=hashlib.sha256(body).digest(),
                value_minor=value,
                currency=currency,
                created_at=now,
            )
        )
        uow.commit()
        return Doc(doc.id, kind, doc.key, content)


def use_balance(db: Database, document_id: int, used_minor: int, uses: int = 1) -> None:
    """Pretend financing consumed `used_minor` of a document (the one balance row)."""
    with UnitOfWork(db, TEST_ACTOR) as uow:
        uow.session.merge(
            DocumentBalance(
                document_id=document_id,
                used_minor=used_minor,
                active_uses=uses,
                updated_at=utcnow(),
            )
        )
        uow.commit()


def make_declarations(db: Database, n: int, *, source_org_id: int, owner_org_id: int) -> list[str]:
    """Publish `n` customs declarations at once (bulk INSERTs); returns their keys."""
    from sqlalchemy import insert, select

    spec = get_kind("customs_declaration")
    with UnitOfWork(db, TEST_ACTOR) as uow:
        session = uow.session
        owner = session.get(Organization, owner_org_id)
        assert owner is not None and owner.uscc
        now, docs, bodies = utcnow(), [], []
        for _ in range(n):
            content = spec.validate(declaration_record(owner.uscc, next(_seq)))
            body = canonical_json(content)
            value, currency = spec.value_of(content)
            bodies.append((body, value, currency))
            docs.append(
                {
                    "kind": spec.name,
                    "key": spec.key_of(content),
                    "source_org_id": source_org_id,
                    "owner_uscc": owner.uscc,
                    "owner_org_id": owner.id,
                    "jurisdiction_path": owner.jurisdiction_path,
                    "version": 1,
                    "value_minor": value,
                    "currency": currency,
                    "single_use": False,
                    "digest": hashlib.sha256(body).digest(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(insert(Document), docs)
        keys = [d["key"] for d in docs]
        ids = dict(
            session.execute(
                select(Document.key, Document.id).where(
                    Document.kind == spec.name, Document.key.in_(keys)
                )
            ).all()
        )
        session.execute(
            insert(DocumentVersion),
            [
                {
                    "document_id": ids[key],
                    "version": 1,
                    "content": body.decode(),
                    "record_digest": hashlib.sha256(body).digest(),
                    "value_minor": value,
                    "currency": currency,
                    "created_at": now,
                }
                for key, (body, value, currency) in zip(keys, bodies, strict=True)
            ],
        )
        uow.commit()
    return keys


@contextmanager
def live_server(settings: Any, db: Database) -> Iterator[str]:
    """The app under a real uvicorn on a free loopback port, in a thread; yields its URL."""
    from crossfin.api.app import create_app
    from crossfin.core import secrets
    from crossfin.ledger import keys

    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    with serve(create_app(settings, db)) as url:
        yield url
