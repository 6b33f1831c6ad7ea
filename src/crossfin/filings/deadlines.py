"""Legal deadlines in working days whose clock stops while the filer supplies material.

How days count (as Chinese law counts periods: the start day excluded, 民法典 art. 201;
licensing periods in working days without statutory holidays, 行政许可法 art. 82):
- The clock starts at the end of `Clock.started`: the first day that can count is the next
  working day.
- A `Pause(start, end)` stops the clock at the end of `start` and restarts it at the end of
  `end`: working days in (start, end] do not count. The pause's start day still counts (the
  regulator worked that day, e.g. it sent the request for supplement); its end day does not
  (the day the material arrives is, like a start day, not counted).
- `end=None` is a pause still running: the filer has not answered yet.
- The due date is the working day on which the `limit + extension`-th counted day falls; a
  filing handed in on that day is in time.

Everything here is pure and stored nowhere. The working days come from the `Calendar`
handed in: a service passes `crossfin.filings.calendar.cache.official_calendar(session)` (the
loaded notices over the package); dates in a year it does not cover raise
`crossfin.core.workdays.CalendarOutOfRange`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.core.workdays import Calendar


@dataclass(frozen=True)
class Pause:
    """The clock stopped over (start, end]; end None while the filer has not answered."""

    start: date
    end: date | None = None


@dataclass(frozen=True)
class Clock:
    """A deadline of `limit` working days from `started`, plus granted `extension` days."""

    started: date
    limit: int
    pauses: tuple[Pause, ...] = ()
    extension: int = 0

    def __post_init__(self) -> None:
        errors = _clock_errors(self)
        if errors:
            raise ValidationFailed(errors)

    @property
    def total(self) -> int:
        """The working days allowed: the legal limit plus any granted extension."""
        return self.limit + self.extension


def _clock_errors(clock: Clock) -> list[FieldError]:
    """Why a clock is impossible: negative counts, or pauses out of order or overlapping."""
    errors = []
    if clock.limit < 0:
        errors.append(FieldError("limit", "must be 0 or more working days"))
    if clock.extension < 0:
        errors.append(FieldError("extension", "must be 0 or more working days"))
    previous_end = clock.started
    for i, pause in enumerate(clock.pauses):
        if pause.start < previous_end:
            reason = "before the clock started" if i == 0 else "before the previous pause ended"
            errors.append(FieldError(f"pauses[{i}].start", reason))
        if pause.end is not None and pause.end < pause.start:
            errors.append(FieldError(f"pauses[{i}].end", "before the pause started"))
        if pause.end is None and i != len(clock.pauses) - 1:
            errors.append(FieldError(f"pauses[{i}].end", "only the last pause may be open"))
        previous_end = pause.end or pause.start
    return errors


def _running(clock: Clock) -> list[tuple[date, date | None]]:
    """The stretches (after, through] in which the clock runs; through None is open-ended."""
    stretches: list[tuple[date, date | None]] = []
    after = clock.started
    for pause in clock.pauses:
        stretches.append((after, pause.start))
        if pause.end is None:
            return stretches
        after = pause.end
    stretches.append((after, None))
    return stretches


def due(clock: Clock, calendar: Calendar) -> date | None:
    """The last day to act, or None while an open pause stops the clock before it.

    None because the due date then depends on a day nobody knows yet: the day the filer
    supplies the material. A pause opened after the due date does not move it.
    """
    remaining = clock.total
    if remaining == 0:
        return clock.started
    for after, through in _running(clock):
        span = None if through is None else calendar.working_days_between(after, through)
        if span is None or remaining <= span:
            return calendar.add_working_days(after, remaining)
        remaining -= span
    return None


def counted_days(clock: Clock, today: date, calendar: Calendar) -> int:
    """Working days the clock has run from its start through `today`."""
    total = 0
    for after, through in _running(clock):
        if today <= after:
            break
        last = today if through is None else min(through, today)
        total += calendar.working_days_between(after, last)
    return total


def is_paused(clock: Clock, today: date) -> bool:
    """Whether the clock is stopped as of `today`: a pause began by today and has not ended."""
    return any(p.start <= today and (p.end is None or today < p.end) for p in clock.pauses)


@dataclass(frozen=True)
class DeadlineStatus:
    """Where a deadline stands on a given day."""

    due: date | None
    working_days_left: int
    overdue: bool
    paused: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: dates as ISO 8601 strings."""
        return {
            "due": self.due.isoformat() if self.due else None,
            "working_days_left": self.working_days_left,
            "overdue": self.overdue,
            "paused": self.paused,
        }


def status(clock: Clock, today: date, calendar: Calendar) -> DeadlineStatus:
    """The deadline on `today`.

    `working_days_left` is the allowance minus the working days counted through today: 0 on
    the due day, negative by the working days counted since. `overdue` is by calendar: true
    from the day after the due day, so a Saturday after a Friday due day is overdue with
    0 working days left. While an open pause holds the clock before the due date, nothing
    can be overdue and the days left stay frozen.
    """
    when = due(clock, calendar)
    return DeadlineStatus(
        due=when,
        working_days_left=clock.total - counted_days(clock, today, calendar),
        overdue=when is not None and today > when,
        paused=is_paused(clock, today),
    )
