"""Licensing's own use cases on top of the workflow: one application's view with both
clocks, and the one extension of the decision clock (a recorded approval)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import Conflict, NotFound
from crossfin.filings.catalogue import list_forms
from crossfin.filings.deadlines import DeadlineStatus
from crossfin.filings.licences.clocks import clocks_of
from crossfin.filings.licences.definition import LicenceDefinition
from crossfin.filings.licences.rules import licence_definition
from crossfin.filings.licences.schemas import ClocksOut, ExtendIn, LicenceOut, MaterialOut
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.queries import filing_detail
from crossfin.filings.schemas import DeadlineOut
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.systems import is_licence
from crossfin.filings.visibility import readable, require_regulator_side, visible_filing
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer

# The review runs from acceptance until the decision.
REVIEWING = frozenset({FilingState.ACCEPTED, FilingState.UNDER_REVIEW})


def licence_form(session: Session, filing: Filing) -> tuple[FilingForm, LicenceDefinition]:
    """The filing's licence type; 404 (as for none) when the filing is not a licence."""
    form = session.get_one(FilingForm, filing.form_id)
    if not is_licence(form):
        raise NotFound(f"no licence application {filing.id}")
    return form, licence_definition(form)


def licence_view(session: Session, caller: Caller, filing_id: int) -> LicenceOut:
    """One application the caller reads (404 otherwise): materials and both clocks."""
    filing = visible_filing(session, caller, filing_id)
    form, definition = licence_form(session, filing)
    detail = filing_detail(session, caller, filing_id)
    clocks = clocks_of(session, filing, definition.deadlines)
    materials = [
        MaterialOut(
            **m.model_dump(),
            attachments=[a.id for a in detail.attachments if a.material == m.code],
        )
        for m in definition.materials
    ]
    return LicenceOut(
        **detail.model_dump(),
        type_zh=form.name_zh,
        type_en=form.name_en,
        materials=materials,
        clocks=ClocksOut(acceptance=_out(clocks.acceptance), decision=_out(clocks.decision)),
        extension_days=definition.deadlines.extension,
        review_started=filing.review_started,
    )


def _out(found: DeadlineStatus | None) -> DeadlineOut | None:
    return DeadlineOut.model_validate(found.as_dict()) if found else None


def extend(
    uow: UnitOfWork, caller: Caller, filing_id: int, data: ExtendIn
) -> tuple[Filing, Receipt]:
    """A covering regulator extends the decision clock once, by the type's extension,
    naming the reason and who approved it (a ledger event); 409 when the review is not
    running or was already extended."""
    require_writer(caller)
    session = uow.session
    filing = visible_filing(session, caller, filing_id, lock=True)
    _, definition = licence_form(session, filing)
    require_regulator_side(caller, filing)
    state = FilingState(filing.state)
    if state not in REVIEWING:
        raise Conflict(f"an application {state.value} has no review clock to extend", state=state)
    if filing.clock_extension:
        raise Conflict("the decision clock was already extended (once only)", field="extend")
    filing.clock_extension = definition.deadlines.extension
    receipt = record_step(
        uow,
        caller,
        filing,
        EventType.FILING_EXTENDED,
        state,
        data.reason.strip(),
        days=definition.deadlines.extension,
        approver=data.approver.strip(),
    )
    return filing, receipt


def licence_types(session: Session) -> list[FilingForm]:
    """The licence types in force today, newest version of each code."""
    newest: dict[str, FilingForm] = {}
    for form in list_forms(session):
        if is_licence(form) and form.effective_from <= business_date():
            newest[form.code] = form
    return list(newest.values())


def list_applications(session: Session, caller: Caller, limit: int = 200) -> list[Filing]:
    """The licence applications the caller reads, newest first (licence types only: a
    plain `licence` form without materials is no licence type)."""
    types = [f.id for f in list_forms(session) if is_licence(f)]
    query = (
        select(Filing)
        .where(readable(caller), Filing.form_id.in_(types))
        .order_by(Filing.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def needs_review(session: Session, caller: Caller, filing_id: int) -> bool:
    """Whether an accepted application still waits for its review to start."""
    filing = visible_filing(session, caller, filing_id)
    return filing.state == FilingState.ACCEPTED.value
