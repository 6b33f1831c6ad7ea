"""Attachments: files on the current version of a filing, within the form's limits
(media types, bytes, count per version), stored with their SHA-256; each one a ledger
event committing to the filing (its attachments' metadata included)."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
    invalid,
)
from crossfin.filings.catalogue import media_types_of
from crossfin.filings.models import Filing, FilingAttachment, FilingForm
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.systems import check_attachment
from crossfin.filings.visibility import require_filer_side, visible_filing
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer

# The filer adds material while it holds the filing: a draft, or one returned to it.
OPEN = frozenset({FilingState.DRAFTED, FilingState.RETURNED})
NAME_MAX = 200


def attach(
    uow: UnitOfWork,
    caller: Caller,
    filing_id: int,
    name: str,
    media_type: str,
    data: bytes,
    material: str | None = None,
) -> tuple[FilingAttachment, Receipt]:
    """Attach a file to the filing's current version; 422 naming the field and the limit
    when the type, the size or the count is over the form's limits, or when `material`
    is not one of a licence form's (other forms take none)."""
    require_writer(caller)
    session = uow.session
    filing = visible_filing(session, caller, filing_id, lock=True)
    require_filer_side(caller, filing)
    if FilingState(filing.state) not in OPEN:
        raise IllegalTransition(f"a filing {filing.state} takes no attachments", state=filing.state)
    form = session.get_one(FilingForm, filing.form_id)
    media = media_type.split(";", 1)[0].strip().lower()
    _check(session, filing, form, name, media, data)
    check_attachment(form, material, media)
    attachment = FilingAttachment(
        filing_id=filing.id,
        version=filing.current_version,
        name=name.strip(),
        media_type=media,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        material=material,
        principal_id=caller.principal_id,
        created_at=utcnow(),
    )
    session.add(attachment)
    session.flush()
    before = FilingState(filing.state)
    receipt = record_step(
        uow,
        caller,
        filing,
        EventType.FILING_ATTACHED,
        before,
        attachment={
            "id": attachment.id,
            "name": attachment.name,
            "media_type": media,
            "size": attachment.size,
            "sha256": attachment.sha256,
            **({"material": material} if material else {}),
        },
    )
    return attachment, receipt


def _check(
    session: Session, filing: Filing, form: FilingForm, name: str, media: str, data: bytes
) -> None:
    allowed = media_types_of(form)
    if not name.strip() or len(name) > NAME_MAX or "/" in name or "\\" in name:
        raise invalid("name", f"a file name of 1 to {NAME_MAX} characters, without a path")
    if media not in allowed:
        raise ValidationFailed(
            [
                FieldError(
                    "media_type",
                    f"{media or '(none)'} is not one of {', '.join(allowed) or 'none'}",
                )
            ],
            limit=allowed,
        )
    if not data:
        raise invalid("file", "the file is empty")
    if len(data) > form.max_bytes:
        raise ValidationFailed(
            [FieldError("size", f"{len(data)} bytes is over the form's limit of {form.max_bytes}")],
            limit=form.max_bytes,
        )
    query = select(func.count()).where(
        FilingAttachment.filing_id == filing.id,
        FilingAttachment.version == filing.current_version,
    )
    count = session.scalar(query) or 0
    if count >= form.max_count:
        version = filing.current_version
        reason = f"version {version} already has {count}; the form allows {form.max_count}"
        raise ValidationFailed([FieldError("attachments", reason)], limit=form.max_count)


def attachment_of(
    session: Session, caller: Caller, filing_id: int, attachment_id: int
) -> FilingAttachment:
    """An attachment of a filing the caller reads; 404 otherwise."""
    visible_filing(session, caller, filing_id)
    found = session.get(FilingAttachment, attachment_id)
    if found is None or found.filing_id != filing_id:
        raise NotFound(f"no attachment {attachment_id} on filing {filing_id}")
    return found
