"""A licence application's two clocks, counted by `filings.deadlines` (working days):

- **acceptance**: `deadlines.acceptance` days from submission (`clock_started`), paused
  while the applicant supplies material (`clock_pauses`); judged on the day it was
  accepted, rejected or withdrawn once that happened;
- **decision**: `deadlines.decision` days from acceptance (`review_started`), plus the
  granted extension (`clock_extension`); judged on the day of the decision once made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.workdays import CalendarOutOfRange
from crossfin.filings.calendar.cache import official_calendar
from crossfin.filings.deadlines import Clock, DeadlineStatus, status
from crossfin.filings.licences.definition import Deadlines
from crossfin.filings.models import Filing
from crossfin.filings.steps import FINAL, FilingState
from crossfin.filings.timing import pauses_of


@dataclass(frozen=True)
class Clocks:
    acceptance: DeadlineStatus | None
    decision: DeadlineStatus | None


def _judged_on(filing: Filing, stopped: date | None, today: date) -> date:
    """The day a clock is judged: when it stopped (accepted, finished), else today."""
    if stopped is not None:
        return stopped
    if FilingState(filing.state) in FINAL:
        return filing.finished_on or business_date(filing.updated_at)
    return today


def _status(session: Session, clock: Clock, on: date) -> DeadlineStatus | None:
    try:
        return status(clock, on, official_calendar(session))
    except CalendarOutOfRange:
        return None  # the year the count reaches is not installed: no wrong date shown


def clocks_of(
    session: Session, filing: Filing, deadlines: Deadlines, today: date | None = None
) -> Clocks:
    """Both clocks as of `today` (default: the business date); None where not started."""
    today = today or business_date()
    acceptance = decision = None
    if filing.clock_started is not None:
        clock = Clock(filing.clock_started, deadlines.acceptance, pauses_of(filing))
        acceptance = _status(session, clock, _judged_on(filing, filing.review_started, today))
    if filing.review_started is not None:
        clock = Clock(filing.review_started, deadlines.decision, extension=filing.clock_extension)
        decision = _status(session, clock, _judged_on(filing, None, today))
    return Clocks(acceptance, decision)
