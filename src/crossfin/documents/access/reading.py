"""Who reads which documents and verifications: owners, consented banks, regulators.

`readable_documents` is the SQL form of `crossfin.documents.access.can_read_document`
(the same rules, for listings); a test keeps the two in agreement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from crossfin.core.errors import NotFound, ValidationFailed, invalid
from crossfin.documents.access.consent import consented_kinds
from crossfin.documents.access.models import Verification, VerificationRequest
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentVersion
from crossfin.parties.access import ROOT_PATH, Caller
from crossfin.parties.models import Organization, OrgKind

SOURCE_KINDS = {
    OrgKind.CUSTOMS,
    OrgKind.TAX,
    OrgKind.INSURER,
    OrgKind.LOGISTICS,
    OrgKind.OVERSEAS_CUSTOMS,
}
MAX_PAGE = 500


def readable_documents(session: Session, caller: Caller) -> ColumnElement[bool]:
    """A WHERE clause selecting the documents `caller` may read now."""
    kind = caller.org_kind
    if kind is OrgKind.ENTERPRISE:
        return Document.owner_org_id == caller.org_id
    if kind in SOURCE_KINDS:
        return Document.source_org_id == caller.org_id
    if kind is OrgKind.REGULATOR and caller.jurisdiction_path:
        if caller.jurisdiction_path == ROOT_PATH:
            return true()
        return Document.jurisdiction_path.startswith(caller.jurisdiction_path)
    if kind is OrgKind.BANK:
        grants = consented_kinds(session, caller.org_id)
        if not grants:
            return false()
        return or_(
            *(
                and_(Document.owner_org_id == firm, Document.kind.in_(sorted(kinds)))
                for firm, kinds in grants.items()
            )
        )
    return false()


def parse_cursor(cursor: str | None) -> int:
    """The id after which a page starts; cursors are opaque to clients."""
    if not cursor:
        return 0
    if not cursor.isdigit():
        raise invalid("cursor", "not a cursor this API returned")
    return int(cursor)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def list_documents(
    session: Session,
    caller: Caller,
    *,
    kind: str | None = None,
    owner_org_id: int | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Documents the caller may read, oldest first, `limit` at a time."""
    query = select(Document).where(
        readable_documents(session, caller), Document.id > parse_cursor(cursor)
    )
    if kind is not None:
        query = query.where(Document.kind == kind)
    if owner_org_id is not None:
        query = query.where(Document.owner_org_id == owner_org_id)
    rows = list(session.scalars(query.order_by(Document.id).limit(min(limit, MAX_PAGE) + 1)))
    return _page(rows, min(limit, MAX_PAGE))


def _page(rows: list[Any], limit: int) -> Page:
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return Page(rows, str(last.id) if more and last is not None else None)


def get_document(
    session: Session, caller: Caller, kind: str, key: str
) -> tuple[Document, dict[str, Any]]:
    """A readable document and its current content; 404 for missing and unreadable alike."""
    spec = get_kind(kind)  # an unknown kind is a 404 too
    try:
        normal = str(spec.normalise_fields({spec.key_field: key})[spec.key_field])
    except ValidationFailed:
        raise NotFound(f"no {kind} {key!r} that you may read") from None
    query = (
        select(Document, DocumentVersion.content)
        .join(
            DocumentVersion,
            and_(
                DocumentVersion.document_id == Document.id,
                DocumentVersion.version == Document.version,
            ),
        )
        .where(Document.kind == kind, Document.key == normal, readable_documents(session, caller))
    )
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"no {kind} {key!r} that you may read")
    return row[0], json.loads(row[1])


def _verification_scope(caller: Caller) -> ColumnElement[bool]:
    if caller.org_kind is OrgKind.BANK:
        return Verification.bank_org_id == caller.org_id
    if caller.org_kind is OrgKind.ENTERPRISE:
        return Document.owner_org_id == caller.org_id
    if caller.org_kind is OrgKind.REGULATOR and caller.jurisdiction_path:
        if caller.jurisdiction_path == ROOT_PATH:
            return true()
        return Document.jurisdiction_path.startswith(caller.jurisdiction_path)
    return false()


def list_verifications(
    session: Session,
    caller: Caller,
    *,
    kind: str | None = None,
    key: str | None = None,
    request_id: int | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Verification rows: a bank's own, an owner's documents', a regulator's subtree's.

    Each item is (Verification, Document | None, bank name); unknown-outcome rows name
    no document, so only the bank that asked and the head office see them.
    """
    query = (
        select(Verification, Document, Organization.name)
        .outerjoin(Document, Document.id == Verification.document_id)
        .join(Organization, Organization.id == Verification.bank_org_id)
        .where(_verification_scope(caller), Verification.id > parse_cursor(cursor))
    )
    if kind is not None:
        query = query.where(Verification.kind == kind)
    if key is not None:
        query = query.where(Verification.key == key.strip())
    if request_id is not None:
        query = query.where(Verification.request_id == request_id)
    size = min(limit, MAX_PAGE)
    rows: list[tuple[Verification, Document | None, str]] = [
        (r[0], r[1], r[2]) for r in session.execute(query.order_by(Verification.id).limit(size + 1))
    ]
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = str(rows[-1][0].id) if more and rows else None
    return Page(rows, next_cursor)


def request_results(
    session: Session, caller: Caller, request_id: int
) -> tuple[VerificationRequest, list[Verification]]:
    """A bank's own verification request and every item of it, in request order."""
    request = session.get(VerificationRequest, request_id)
    if request is None or request.bank_org_id != caller.org_id:
        raise NotFound(f"no verification request {request_id}")
    query = (
        select(Verification)
        .where(Verification.request_id == request_id)
        .order_by(Verification.position)
    )
    return request, list(session.scalars(query))


def recent_requests(session: Session, caller: Caller, limit: int = 10) -> list[VerificationRequest]:
    """The bank's latest verification requests, newest first."""
    query = (
        select(VerificationRequest)
        .where(VerificationRequest.bank_org_id == caller.org_id)
        .order_by(VerificationRequest.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
