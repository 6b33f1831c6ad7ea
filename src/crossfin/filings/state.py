"""What filings' ledger events commit to: a form version, and a filing with its versions'
digests and its attachments' metadata (the bytes are pinned by their SHA-256).

Each projection is built by one function, used when recording and by the audit
(`crossfin log audit --state`); `updated_at` stays out (bookkeeping).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.filings.models import Filing, FilingAttachment, FilingForm, FilingVersion
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
    with_children,
)

FORM_KIND = "filing_form"
KIND = "filing"
_FORM_FIELDS = columns_of(FilingForm, leave_out=("id", "updated_at"))
_FIELDS = columns_of(Filing, leave_out=("id", "updated_at"))
_VERSION_FIELDS = ("number", "content_sha256", "explanations", "principal_id")
_ATTACHMENT_FIELDS = (
    "id",
    "version",
    "name",
    "media_type",
    "size",
    "sha256",
    "principal_id",
    "material",
)


def form_state(form: Any) -> dict[str, Any]:
    return {name: value_of(form, name) for name in _FORM_FIELDS}


def form_commitment(form: FilingForm) -> dict[str, str]:
    return {entity_key(FORM_KIND, form.id): state_digest(form_state(form))}


def filing_state(
    filing: Any, versions: Iterable[Any], attachments: Iterable[Any]
) -> dict[str, Any]:
    """One filing with every version's digest and every attachment's metadata."""
    state = {name: value_of(filing, name) for name in _FIELDS}
    state["versions"] = sorted(
        ({n: value_of(v, n) for n in _VERSION_FIELDS} for v in versions),
        key=lambda v: v["number"],
    )
    state["attachments"] = sorted(
        ({n: value_of(a, n) for n in _ATTACHMENT_FIELDS} for a in attachments),
        key=lambda a: a["id"],
    )
    return state


def filing_commitment(session: Session, filing: Filing) -> dict[str, str]:
    """The `state` entry of an event leaving `filing` as it now is (flushed)."""
    session.flush()
    versions = session.scalars(
        select(FilingVersion).where(FilingVersion.filing_id == filing.id)
    ).all()
    attachments = session.execute(
        select(*_attachment_columns()).where(FilingAttachment.filing_id == filing.id)
    ).all()
    projection = filing_state(filing, versions, attachments)
    return {entity_key(KIND, filing.id): state_digest(projection)}


def _attachment_columns() -> list[Any]:
    return [FilingAttachment.filing_id, *(getattr(FilingAttachment, n) for n in _ATTACHMENT_FIELDS)]


def _form_rows(session: Session) -> Iterator[StateRow]:
    for form in session.scalars(select(FilingForm).order_by(FilingForm.id)):
        yield StateRow(form.id, form_state(form), form.created_at)


def _rows(session: Session) -> Iterator[StateRow]:
    filings = session.execute(select(*Filing.__table__.columns).order_by(Filing.id))
    versions = list(
        session.execute(
            select(*FilingVersion.__table__.columns).order_by(
                FilingVersion.filing_id, FilingVersion.number
            )
        )
    )
    attachments = list(
        session.execute(
            select(*_attachment_columns()).order_by(FilingAttachment.filing_id, FilingAttachment.id)
        )
    )
    by_filing: dict[int, list[Any]] = {}
    for row in attachments:
        by_filing.setdefault(row.filing_id, []).append(row)
    for row, mine in with_children(filings, versions, "filing_id"):
        state = filing_state(row, mine, by_filing.get(row.id, []))
        yield StateRow(row.id, state, row.created_at)


def state_views() -> list[StateView]:
    """The filings domain's entities, for the audit (registered at assembly)."""
    return [StateView(FORM_KIND, "filing_forms", _form_rows), StateView(KIND, "filings", _rows)]
