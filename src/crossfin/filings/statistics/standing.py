"""Where a statistics filing stands against its deadline: due, late, locked, and the
late-correction request and window (docs/filings.md, "Statistics filing").

The deadline runs from the period's end (`clock_starts: period_end`). Once it has passed,
a filing that has been submitted is **locked**: no new content, no resubmission, until a
covering regulator approves a late correction, which opens a window of `WINDOW_DAYS`
working days for one correction (used by the next submission or resubmission). A draft
never submitted is not locked: regulators cannot see it, so nobody could approve its
request; it may still be submitted, and is then flagged **late**. The request, approval
and refusal are workflow steps (`filing_steps`), so no table of their own is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.workdays import CalendarOutOfRange
from crossfin.filings.calendar.cache import official_calendar
from crossfin.filings.deadlines import due
from crossfin.filings.errors import FilingLocked
from crossfin.filings.models import Filing, FilingForm, FilingStep
from crossfin.filings.schemas import System
from crossfin.filings.steps import FINAL, FilingState
from crossfin.filings.timing import clock_of

WINDOW_DAYS = 5
REQUEST, APPROVE, REFUSE = "late-request", "late-approve", "late-refuse"
SUBMISSIONS = frozenset({"submit", "resubmit"})


@dataclass(frozen=True)
class Standing:
    due: date | None  # None: no clock, or the calendar does not reach the due date
    late: bool  # first submitted after the due date
    locked: bool
    late_request: str | None  # pending | approved | refused (the latest request's fate)
    window_until: date | None  # the last day of an open late-correction window


def standing(
    session: Session, filing: Filing, form: FilingForm, today: date | None = None
) -> Standing:
    """The filing's standing today (China's business date by default)."""
    today = today or business_date()
    due_on = _due(session, filing, form)
    steps = _late_steps(session, filing.id)
    fate, window = _request(session, steps)
    if window is not None and today > window:
        window = None
    submitted = filing.submitted_at is not None
    past = due_on is not None and today > due_on
    final = FilingState(filing.state) in FINAL
    return Standing(
        due=due_on,
        late=submitted and due_on is not None and _submitted_on(filing) > due_on,
        locked=past and submitted and not final and window is None,
        late_request=fate,
        window_until=window,
    )


def require_open(session: Session, filing: Filing, form: FilingForm) -> None:
    """409 /filing-locked naming the due date when the filing is locked today."""
    if form.system != System.STATISTICS.value:
        return
    found = standing(session, filing, form)
    if found.locked:
        raise FilingLocked(
            f"the deadline was {found.due}: ask for a late correction "
            f"(POST /v1/filings/{filing.id}/late-correction)",
            due=str(found.due),
        )


def _submitted_on(filing: Filing) -> date:
    assert filing.submitted_at is not None
    return business_date(filing.submitted_at)


def _due(session: Session, filing: Filing, form: FilingForm) -> date | None:
    clock = clock_of(filing, form)
    if clock is None:
        return None
    try:
        return due(clock, official_calendar(session))
    except CalendarOutOfRange:
        return None


def _window_end(session: Session, start: date) -> date:
    try:
        return official_calendar(session).add_working_days(start, WINDOW_DAYS)
    except CalendarOutOfRange:
        # The next year's calendar is not installed yet: a week of calendar days rather
        # than no window at all (the approval must stay usable).
        return start + timedelta(days=7)


def _late_steps(session: Session, filing_id: int) -> list[FilingStep]:
    actions = (REQUEST, APPROVE, REFUSE, *SUBMISSIONS)
    query = (
        select(FilingStep)
        .where(FilingStep.filing_id == filing_id, FilingStep.action.in_(actions))
        .order_by(FilingStep.id)
    )
    return list(session.scalars(query))


def _request(session: Session, steps: list[FilingStep]) -> tuple[str | None, date | None]:
    """The latest request's fate, and the window an unused approval opened (its last day)."""
    fate: str | None = None
    window: date | None = None
    for step in steps:
        if step.action == REQUEST:
            fate, window = "pending", None
        elif step.action == APPROVE:
            start = business_date(step.created_at)
            fate = "approved"
            window = _window_end(session, start)
        elif step.action == REFUSE:
            fate, window = "refused", None
        elif window is not None:  # a submission used the window's one correction
            window = None
    return fate, window
