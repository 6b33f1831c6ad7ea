"""Late corrections: the filer asks to correct a statistics filing locked by its deadline;
a covering regulator approves (a window for one correction) or refuses. Each is a ledger
event and a workflow step; none changes the filing's state, except that an approval
hands a filing that is with the regulator back to the filer (`returned`)."""

from __future__ import annotations

from crossfin.core.errors import Conflict, invalid
from crossfin.filings import timing
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import System
from crossfin.filings.statistics.standing import standing
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.visibility import (
    require_filer_side,
    require_regulator_side,
    visible_filing,
)
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer

WITH_REGULATOR = frozenset(
    {FilingState.SUBMITTED, FilingState.ACCEPTED, FilingState.RESUBMITTED, FilingState.UNDER_REVIEW}
)


def _statistics_filing(
    uow: UnitOfWork, caller: Caller, filing_id: int, *, filer: bool
) -> tuple[Filing, FilingForm]:
    require_writer(caller)
    filing = visible_filing(uow.session, caller, filing_id, lock=True)
    if filer:
        require_filer_side(caller, filing)
    else:
        require_regulator_side(caller, filing)
    form = form_in_force(uow.session, filing.form_code, filing.form_version)
    if form.system != System.STATISTICS.value:
        raise Conflict("late corrections are for statistics filings", form=form.code)
    return filing, form


def request(uow: UnitOfWork, caller: Caller, filing_id: int, reason: str) -> tuple[Filing, Receipt]:
    """The filer's chain asks to correct a locked filing; 409 unless it is locked and no
    request is pending."""
    if not reason.strip():
        raise invalid("reason", "say why the correction is late")
    filing, form = _statistics_filing(uow, caller, filing_id, filer=True)
    found = standing(uow.session, filing, form)
    if not found.locked:
        raise Conflict("the filing is not locked: no late correction is needed", due=str(found.due))
    if found.late_request == "pending":
        raise Conflict("a late-correction request is already pending")
    before = FilingState(filing.state)
    receipt = record_step(
        uow, caller, filing, EventType.FILING_LATE_REQUESTED, before, reason.strip()
    )
    return filing, receipt


def decide(
    uow: UnitOfWork, caller: Caller, filing_id: int, approve: bool, note: str | None
) -> tuple[Filing, Receipt]:
    """A covering regulator approves (a window for one correction) or refuses the pending
    request; 409 when none is pending."""
    filing, form = _statistics_filing(uow, caller, filing_id, filer=False)
    if standing(uow.session, filing, form).late_request != "pending":
        raise Conflict("no late-correction request is pending")
    if not approve and not (note or "").strip():
        raise invalid("note", "a refusal states its reason")
    before = FilingState(filing.state)
    if approve and before in WITH_REGULATOR:
        filing.state = FilingState.RETURNED.value
        timing.pause(filing)
    event = EventType.FILING_LATE_APPROVED if approve else EventType.FILING_LATE_REFUSED
    receipt = record_step(uow, caller, filing, event, before, (note or "").strip() or None)
    return filing, receipt
