"""Reading filings: one with its versions, steps and attachments' metadata, or a list of
those the caller reads; every answer shows the deadline."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.filings.models import Filing, FilingAttachment, FilingForm, FilingStep, FilingVersion
from crossfin.filings.schemas import (
    AttachmentOut,
    DeadlineOut,
    FilingDetailOut,
    FilingOut,
    StepOut,
    VersionOut,
)
from crossfin.filings.steps import FINAL, FilingState
from crossfin.filings.timing import deadline_of
from crossfin.filings.visibility import readable, visible_filing
from crossfin.parties.access import Caller

_CHUNK = 500


def filing_out(session: Session, filing: Filing, today: date | None = None) -> FilingOut:
    form = session.get_one(FilingForm, filing.form_id)
    out = FilingOut.model_validate(filing)
    found = deadline_of(session, filing, form, today)
    if found is not None:
        out.deadline = DeadlineOut.model_validate(found.as_dict())
    return out


def filing_detail(session: Session, caller: Caller, filing_id: int) -> FilingDetailOut:
    """The filing (404 unless the caller reads it) with its whole history."""
    filing = visible_filing(session, caller, filing_id)
    versions = session.scalars(
        select(FilingVersion)
        .where(FilingVersion.filing_id == filing.id)
        .order_by(FilingVersion.number)
    )
    steps = session.scalars(
        select(FilingStep).where(FilingStep.filing_id == filing.id).order_by(FilingStep.id)
    )
    attachments = session.scalars(
        select(FilingAttachment)
        .where(FilingAttachment.filing_id == filing.id)
        .order_by(FilingAttachment.id)
    )
    return FilingDetailOut(
        **filing_out(session, filing).model_dump(),
        versions=[
            VersionOut.model_validate(
                {
                    "number": v.number,
                    "content": json.loads(v.content),
                    "content_sha256": v.content_sha256,
                    "explanations": json.loads(v.explanations),
                    "principal_name": v.principal_name,
                    "created_at": v.created_at,
                }
            )
            for v in versions
        ],
        steps=[StepOut.model_validate(s) for s in steps],
        attachments=[AttachmentOut.model_validate(a) for a in attachments],
    )


def list_filings(
    session: Session,
    caller: Caller,
    *,
    state: FilingState | None = None,
    form: str | None = None,
    overdue: bool | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[FilingOut]:
    """The filings the caller reads, by id after `after`. `overdue` is judged in Python
    (working days follow the official calendar, which SQL does not know), so the rows are
    read in chunks until the page is full."""
    query = select(Filing).where(readable(caller)).order_by(Filing.id)
    if state is not None:
        query = query.where(Filing.state == state.value)
    if form is not None:
        query = query.where(Filing.form_code == form)
    if overdue is True:
        live = [s.value for s in FilingState if s not in FINAL]
        query = query.where(Filing.state.in_(live), Filing.clock_started.is_not(None))
    today = business_date()
    found: list[FilingOut] = []
    cursor = after
    while len(found) < limit:
        chunk = list(session.scalars(query.where(Filing.id > cursor).limit(_CHUNK)))
        for filing in chunk:
            out = filing_out(session, filing, today)
            late = out.deadline is not None and out.deadline.overdue
            if overdue is None or late == overdue:
                found.append(out)
                if len(found) == limit:
                    break
        if len(chunk) < _CHUNK:
            break
        cursor = chunk[-1].id
    return found
