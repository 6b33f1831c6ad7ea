"""A filing's deadline clock: started, paused while the filer supplies, resumed; its
status counted in working days by `filings.deadlines` (China's official calendar).

Pauses are kept on the filing as JSON `[[start, end|null], ...]` (ISO dates); an open
pause (end null) means the clock stands still today.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.workdays import CalendarOutOfRange
from crossfin.filings.calendar.cache import official_calendar
from crossfin.filings.deadlines import Clock, DeadlineStatus, Pause, status
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import ClockStart
from crossfin.filings.steps import FINAL, FilingState


def _pauses(filing: Filing) -> list[list[str | None]]:
    return list(json.loads(filing.clock_pauses or "[]"))


def start_if(session: Session, filing: Filing, trigger: ClockStart) -> None:
    """Start the clock today if the form starts it on `trigger` and it has not started."""
    form = session.get_one(FilingForm, filing.form_id)
    if form.clock_starts == trigger.value and filing.clock_started is None:
        filing.clock_started = business_date()


def pause(filing: Filing) -> None:
    """Stop the clock from today (no-op while already paused)."""
    pauses = _pauses(filing)
    if not pauses or pauses[-1][1] is not None:
        pauses.append([business_date().isoformat(), None])
        filing.clock_pauses = json.dumps(pauses)


def resume(filing: Filing) -> None:
    """Run the clock again from today (no-op unless paused)."""
    pauses = _pauses(filing)
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = business_date().isoformat()
        filing.clock_pauses = json.dumps(pauses)


def pauses_of(filing: Filing) -> tuple[Pause, ...]:
    """The filing's pauses as `deadlines.Pause` values."""
    return tuple(
        Pause(date.fromisoformat(str(start)), date.fromisoformat(end) if end else None)
        for start, end in _pauses(filing)
    )


def clock_of(filing: Filing, form: FilingForm) -> Clock | None:
    """The filing's clock, or None when the form sets no deadline or it has not started."""
    if form.deadline_days is None or filing.clock_started is None:
        return None
    return Clock(
        filing.clock_started, form.deadline_days, pauses_of(filing), filing.clock_extension
    )


def deadline_of(
    session: Session, filing: Filing, form: FilingForm, today: date | None = None
) -> DeadlineStatus | None:
    """Where the filing stands against its deadline today; a finished filing (decided,
    closed, withdrawn) is judged on the day it finished, so `overdue` says it was late."""
    clock = clock_of(filing, form)
    if clock is None:
        return None
    if FilingState(filing.state) in FINAL:
        today = filing.finished_on or business_date(filing.updated_at)
    try:
        return status(clock, today or business_date(), official_calendar(session))
    except CalendarOutOfRange:
        # The official calendar of the year the count reaches is neither in the package nor
        # loaded (`crossfin calendar load`): no deadline is shown rather than a wrong one.
        return None
