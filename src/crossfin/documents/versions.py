"""Document versions: amendments by the source, version history, proof paths, owner links.

A document is never edited in place: an amendment adds a DocumentVersion and moves the
document's current version, value and digest; the balance (financing's DocumentBalance,
keyed by document id) stays with the key, so uses already made stay attached.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from crossfin.core.canonical import jcs
from crossfin.core.clock import utcnow
from crossfin.core.errors import (
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    invalid,
)
from crossfin.core.money import format_amount
from crossfin.documents.access.rules import can_read_document
from crossfin.documents.errors import NoChange, RecordUnreadable
from crossfin.documents.hooks import document_amended
from crossfin.documents.ingest.models import Batch, BatchLine
from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.documents.refs import replace_refs
from crossfin.documents.state import current_versions, document_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.proofs import inclusion_ranges
from crossfin.ledger.rfc6962 import leaf_hash, root_hash
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_role
from crossfin.parties.alerts import AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind, Role


def _normal_key(spec: KindSpec, key: str) -> str | None:
    try:
        return str(spec.normalise_fields({spec.key_field: key})[spec.key_field])
    except ValidationFailed:
        return None


def readable_document(
    session: Session, caller: Caller, kind: str, key: str, *, lock: bool = False
) -> Document:
    """The document if the caller may read it; 404 otherwise (existence never leaks)."""
    spec = get_kind(kind)
    normal = _normal_key(spec, key)
    query = select(Document).where(Document.kind == spec.name, Document.key == normal)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    doc = session.scalars(query).one_or_none() if normal else None
    if doc is None or not can_read_document(session, caller, doc):
        raise NotFound(f"no {kind} {key}")
    return doc


def list_versions(
    session: Session, caller: Caller, kind: str, key: str
) -> tuple[Document, list[DocumentVersion]]:
    """Every version of a readable document, oldest first."""
    doc = readable_document(session, caller, kind, key)
    query = select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
    return doc, list(session.scalars(query.order_by(DocumentVersion.version)))


def version_view(version: DocumentVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "content": json.loads(version.content),
        "record_digest": version.record_digest.hex(),
        "value": _amount(version.value_minor, version.currency),
        "reason": version.reason,
        "batch": version.batch_id,
        "created_at": version.created_at,
    }


def _amount(minor: int, currency: str) -> dict[str, str] | None:
    return {"amount": format_amount(minor, currency), "currency": currency} if currency else None


def amend(
    uow: UnitOfWork, caller: Caller, kind: str, key: str, record: Mapping[str, Any], reason: str
) -> tuple[Document, DocumentVersion, Receipt]:
    """Add a version with new content (same key and owner), by the document's source only."""
    session = uow.session
    doc = readable_document(session, caller, kind, key, lock=True)
    if caller.org_id != doc.source_org_id:
        raise Forbidden("only the source that submitted this document may amend it")
    require_role(caller, Role.ADMIN, Role.OPERATOR)
    spec = get_kind(doc.kind)
    digest, content = _checked_record(spec, doc, record)
    current = session.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.version == doc.version
        )
    ).one()
    if current.content == content:
        raise NoChange("the amendment is identical to the current version")
    minor, currency = spec.value_of(json.loads(content))
    balance = _locked_balance(session, doc.id)
    if (
        balance is not None
        and currency != doc.currency
        and (balance.used_minor or balance.active_uses)
    ):
        raise invalid("record.currency", "cannot change while the document has active uses")
    version = DocumentVersion(
        document_id=doc.id,
        version=doc.version + 1,
        content=content,
        record_digest=digest,
        value_minor=minor,
        currency=currency,
        reason=reason,
        batch_id=None,
        created_at=utcnow(),
    )
    session.add(version)
    previous = doc.digest
    doc.version, doc.value_minor, doc.currency = version.version, minor, currency
    doc.digest, doc.updated_at = digest, version.created_at
    session.flush()
    replace_refs(session, spec, doc.id, json.loads(content))
    receipt = uow.record(
        EventType.DOCUMENT_AMENDED,
        subjects={"document": doc.id, "version": version.id},
        content={
            "kind": doc.kind,
            "key": doc.key,
            "version": version.version,
            "record_digest": digest.hex(),
            "previous_digest": previous.hex(),
            "value_minor": minor,
            "currency": currency,
            "reason": reason,
        },
        parties={p for p in (doc.source_org_id, doc.owner_org_id) if p is not None},
        state=document_commitment(doc, current_versions(session, doc.id)),
    )
    if balance is not None and minor < balance.used_minor:
        _alert_below_uses(uow, doc, caller, balance.used_minor)
    document_amended(uow, doc, caller)  # e.g. financing's F8 loan-to-value check (assembly)
    return doc, version, receipt


def _checked_record(spec: KindSpec, doc: Document, record: Mapping[str, Any]) -> tuple[bytes, str]:
    """(digest of the record as sent, canonical normalised content); same key and owner."""
    try:
        raw = jcs(dict(record))
    except ValueError as exc:
        raise RecordUnreadable(f"the record {exc}") from None
    try:
        content = spec.validate(record)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [FieldError(f"record.{e.field}", e.reason) for e in exc.errors]
        ) from None
    if spec.key_of(content) != doc.key:
        raise invalid(f"record.{spec.key_field}", f"must be the document's key {doc.key}")
    if spec.owner_uscc_of(content) != doc.owner_uscc:
        raise invalid(f"record.{spec.owner_field}", "the owner cannot change by amendment")
    return hashlib.sha256(raw).digest(), jcs(content).decode()


def _locked_balance(session: Session, document_id: int) -> DocumentBalance | None:
    query = select(DocumentBalance).where(DocumentBalance.document_id == document_id)
    query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def _alert_below_uses(uow: UnitOfWork, doc: Document, caller: Caller, used: int) -> None:
    """The new value no longer covers the active uses: tell the regulators over the owner."""
    raise_alert(
        uow,
        AlertKind.VALUE_BELOW_USES,
        subject_org_id=doc.owner_org_id,
        jurisdiction_path=doc.jurisdiction_path,
        actor_org_id=caller.org_id,
        document_id=doc.id,
        details={
            "kind": doc.kind,
            "key": doc.key,
            "version": doc.version,
            "value_minor": doc.value_minor,
            "used_minor": used,
            "currency": doc.currency,
        },
    )


def link_owner_documents(session: Session, org: Organization) -> int:
    """Link documents that arrived before their owner enterprise onboarded; how many."""
    if org.kind != OrgKind.ENTERPRISE.value or not org.uscc:
        return 0
    statement = (
        update(Document)
        .where(Document.owner_uscc == org.uscc, Document.owner_org_id.is_(None))
        .values(owner_org_id=org.id, jurisdiction_path=org.jurisdiction_path)
        .execution_options(synchronize_session=False)
    )
    result = cast("CursorResult[Any]", session.execute(statement))  # an UPDATE: a CursorResult
    return int(result.rowcount or 0)


def document_proof(session: Session, caller: Caller, kind: str, key: str) -> dict[str, Any]:
    """Proof that version 1 was signed by its source: an RFC 6962 path to the batch root."""
    doc = readable_document(session, caller, kind, key)
    first = session.scalars(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.version == 1
        )
    ).one()
    batch = session.scalars(
        select(Batch).where(Batch.source_org_id == doc.source_org_id, Batch.ref == first.batch_id)
    ).one_or_none()
    if batch is None:
        raise NotFound("this document did not come in a batch")
    line = session.scalar(
        select(BatchLine.line).where(
            BatchLine.batch_id == batch.id,
            BatchLine.key == doc.key,
            BatchLine.outcome == "accepted",
        )
    )
    if line is None:
        raise NotFound("no accepted line for this document in its batch")
    # root_hash only iterates, so each range streams in O(log n) memory.
    path = [
        root_hash(_leaves(session, batch.id, lo, hi))
        for lo, hi in inclusion_ranges(line, batch.count)
    ]
    return {
        "batch": batch.ref,
        "kind": batch.kind,
        "line": line,
        "tree_size": batch.count,
        "record_digest": first.record_digest.hex(),
        "leaf_hash": leaf_hash(first.record_digest).hex(),
        "root": base64.b64encode(batch.root).decode(),
        "path": [base64.b64encode(h).decode() for h in path],
        "manifest": batch.manifest,
        "event": {"event_id": batch.event_id, "leaf_index": batch.leaf_index},
    }


def _leaves(session: Session, batch_id: int, lo: int, hi: int) -> Iterator[bytes]:
    query = (
        select(BatchLine.digest)
        .where(BatchLine.batch_id == batch_id, BatchLine.line >= lo, BatchLine.line < hi)
        .order_by(BatchLine.line)
        .execution_options(yield_per=10_000)
    )
    for digest in session.scalars(query):
        yield leaf_hash(digest)
