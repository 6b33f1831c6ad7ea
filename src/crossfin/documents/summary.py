"""One enterprise's documents and consents, summed up for its page (web/enterprise_data.py).

The callers decide who may read the page (the enterprise itself, a regulator over it);
these queries only read one enterprise's rows, by the owner column every document carries.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.money import format_amount
from crossfin.documents.access.consent import status_of
from crossfin.documents.access.models import Consent
from crossfin.documents.models import Document
from crossfin.parties.models import Organization

NEWEST = 5


class KindCount(BaseModel):
    kind: str
    count: int


class DocumentRow(BaseModel):
    kind: str
    key: str
    version: int
    value: str | None = Field(description="Null for a kind without a value (an event).")
    currency: str | None
    created_at: datetime
    href: str = Field(description="The document's API path.")


class DocumentsSummary(BaseModel):
    total: int
    by_kind: list[KindCount] = Field(description="Documents held, by kind.")
    newest: list[DocumentRow] = Field(description="The newest few, newest first.")


class ConsentRow(BaseModel):
    id: int
    bank_org_id: int
    bank_name: str
    scopes: list[str]
    purpose: str | None
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: str = Field(description="active, revoked or expired")


def enterprise_documents(session: Session, org_id: int, newest: int = NEWEST) -> DocumentsSummary:
    """Counts by kind and the newest `newest` documents the enterprise owns."""
    counts = session.execute(
        select(Document.kind, func.count())
        .where(Document.owner_org_id == org_id)
        .group_by(Document.kind)
        .order_by(Document.kind)
    ).all()
    rows = session.scalars(
        select(Document)
        .where(Document.owner_org_id == org_id)
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(newest)
    )
    return DocumentsSummary(
        total=sum(int(n) for _, n in counts),
        by_kind=[KindCount(kind=k, count=int(n)) for k, n in counts],
        newest=[
            DocumentRow(
                kind=d.kind,
                key=d.key,
                version=d.version,
                value=format_amount(d.value_minor, d.currency) if d.currency else None,
                currency=d.currency or None,
                created_at=d.created_at,
                href=f"/v1/documents/{d.kind}/{d.key}",
            )
            for d in rows
        ],
    )


def enterprise_consents(session: Session, org_id: int) -> list[ConsentRow]:
    """Every consent the enterprise granted, newest first, with the bank's name."""
    query = (
        select(Consent, Organization.name)
        .join(Organization, Organization.id == Consent.bank_org_id)
        .where(Consent.enterprise_org_id == org_id)
        .order_by(Consent.id.desc())
    )
    return [
        ConsentRow(
            id=c.id,
            bank_org_id=c.bank_org_id,
            bank_name=bank,
            scopes=c.scope_list,
            purpose=c.purpose,
            granted_at=c.granted_at,
            expires_at=c.expires_at,
            revoked_at=c.revoked_at,
            status=status_of(c),
        )
        for c, bank in session.execute(query)
    ]
