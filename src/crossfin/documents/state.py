"""What the documents domain's ledger events commit to: documents, balances, consents.

One projection per entity, used when recording and by the audit (`crossfin log audit`):

* a document with all its versions (a version's content by its SHA-256). `owner_org_id`
  and `jurisdiction_path` stay out: they are copies of the owner enterprise's id and seat,
  linked when it onboards (`link_owner_documents`), not the source's statement; the audit
  checks them against `organizations` instead. Timestamps stay out too;
* a balance: `used_minor` and `active_uses` (`updated_at` is bookkeeping);
* a consent: every column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.canonical import jcs_value
from crossfin.documents.access.models import Consent
from crossfin.documents.models import Document, DocumentBalance, DocumentVersion
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
    with_children,
)
from crossfin.parties.models import Organization, OrgKind

if TYPE_CHECKING:
    from crossfin.documents.balance import Balance

DOCUMENT, BALANCE, CONSENT = "document", "balance", "consent"
_DOCUMENT_FIELDS = columns_of(
    Document,
    leave_out=("id", "owner_org_id", "jurisdiction_path", "created_at", "updated_at"),
)
_VERSION_FIELDS = columns_of(DocumentVersion, leave_out=("id", "document_id", "created_at"))
_BALANCE_FIELDS = columns_of(DocumentBalance, leave_out=("document_id", "updated_at"))
_CONSENT_FIELDS = columns_of(Consent, leave_out=("id",))
_CHUNK = 5000


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """`{name: value_of(row, name) for name in names}`, without a call per plain value
    (publication projects every document it creates: this is on its hot path)."""
    state = {n: row[n] for n in names} if type(row) is dict else {n: getattr(row, n) for n in names}
    for name, value in state.items():
        kind = type(value)
        if not (kind is str or kind is int or kind is bool or value is None):
            state[name] = jcs_value(value)
    return state


def _version_state(version: Any) -> dict[str, Any]:
    state = _fields(version, _VERSION_FIELDS)
    state["content"] = hashlib.sha256(str(state["content"]).encode("utf-8")).hexdigest()
    return state


def document_state(document: Any, versions: Iterable[Any]) -> dict[str, Any]:
    """The state projection of a document with every version it has."""
    state = _fields(document, _DOCUMENT_FIELDS)
    projected = [_version_state(v) for v in versions]
    if len(projected) > 1:
        projected.sort(key=lambda v: int(v["version"]))
    state["versions"] = projected
    return state


def published_document_state(
    kind: str,
    key: str,
    source_org_id: int,
    owner_uscc: str,
    value_minor: int,
    currency: str,
    single_use: bool,
    digest: bytes,
    content: str,
    batch_id: str | None,
) -> dict[str, Any]:
    """`document_state` of a document just published from a batch: version 1, whose
    record digest is the document's digest and which has no reason.

    The same projection written out, for publication's hot path (a third of the cost of
    building the rows and projecting them); tests/documents/test_state.py checks it
    against `document_state`, so a column added to either table fails there first.
    """
    hex_digest = digest.hex()
    version = {
        "version": 1,
        "content": hashlib.sha256(content.encode("utf-8")).hexdigest(),
        "record_digest": hex_digest,
        "value_minor": value_minor,
        "currency": currency,
        "reason": None,
        "batch_id": batch_id,
    }
    return {
        "kind": kind,
        "key": key,
        "source_org_id": source_org_id,
        "owner_uscc": owner_uscc,
        "version": 1,
        "value_minor": value_minor,
        "currency": currency,
        "single_use": single_use,
        "digest": hex_digest,
        "versions": [version],
    }


def document_commitment(document: Document, versions: Iterable[Any]) -> dict[str, str]:
    """The `state` entry of an event that leaves `document` as it is now."""
    return {entity_key(DOCUMENT, document.id): state_digest(document_state(document, versions))}


def balance_state(balance: Any) -> dict[str, Any]:
    """The state projection of one document's balance."""
    return {name: value_of(balance, name) for name in _BALANCE_FIELDS}


def balance_commitment(balances: Iterable[Balance]) -> dict[str, str]:
    """The `state` entries of an event that leaves these balances as they are now."""
    return {entity_key(BALANCE, b.document_id): state_digest(balance_state(b)) for b in balances}


def consent_state(consent: Any) -> dict[str, Any]:
    """The state projection of one consent."""
    return {name: value_of(consent, name) for name in _CONSENT_FIELDS}


def consent_commitment(consent: Consent) -> dict[str, str]:
    return {entity_key(CONSENT, consent.id): state_digest(consent_state(consent))}


def current_versions(session: Session, document_id: int) -> list[DocumentVersion]:
    query = select(DocumentVersion).where(DocumentVersion.document_id == document_id)
    return list(session.scalars(query))


def _owner_link(row: Any) -> dict[str, Any] | None:
    """What is wrong with a document's copy of its owner's id and seat, if anything.

    They are not committed (they change when the owner onboards, with no document event);
    instead they must equal what `organizations` says of the enterprise with that USCC.
    """
    if (row.owner_org_id, row.jurisdiction_path) == (row.org_id, row.org_path):
        return None
    return {"owner_org_id": row.owner_org_id, "jurisdiction_path": row.jurisdiction_path}


def _documents(session: Session) -> Iterator[StateRow]:
    owner = (Organization.uscc == Document.owner_uscc) & (
        Organization.kind == OrgKind.ENTERPRISE.value
    )
    documents = session.execute(
        select(
            *Document.__table__.columns,
            Organization.id.label("org_id"),
            Organization.jurisdiction_path.label("org_path"),
        )
        .outerjoin(Organization, owner)
        .order_by(Document.id)
        .execution_options(yield_per=_CHUNK)
    )
    versions = session.execute(
        select(*DocumentVersion.__table__.columns)
        .order_by(DocumentVersion.document_id, DocumentVersion.version)
        .execution_options(yield_per=_CHUNK)
    )
    for row, mine in with_children(documents, versions, "document_id"):
        state = document_state(row, mine)
        wrong = _owner_link(row)
        if wrong is not None:  # differs from any commitment, so the row is named
            state["owner_link_differs_from_organizations"] = wrong
        yield StateRow(row.id, state, row.created_at)


def _balances(session: Session) -> Iterator[StateRow]:
    query = select(*DocumentBalance.__table__.columns).order_by(DocumentBalance.document_id)
    for row in session.execute(query.execution_options(yield_per=_CHUNK)):
        yield StateRow(row.document_id, balance_state(row), row.updated_at)


def _consents(session: Session) -> Iterator[StateRow]:
    query = select(*Consent.__table__.columns).order_by(Consent.id)
    for row in session.execute(query.execution_options(yield_per=_CHUNK)):
        yield StateRow(row.id, consent_state(row), row.granted_at)


def _unused(state: Any) -> bool:
    """A balance row is created empty under the lock, even for a refused application."""
    return all(not state[name] for name in _BALANCE_FIELDS)


def state_views() -> list[StateView]:
    """The documents domain's entities, for the audit (registered at assembly)."""
    return [
        StateView(DOCUMENT, "documents", _documents),
        StateView(BALANCE, "document_balances", _balances, blank=_unused),
        StateView(CONSENT, "consents", _consents),
    ]
