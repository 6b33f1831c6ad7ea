"""China's official working days, from the State Council's yearly holiday notices.

A working day is a Monday to Friday that is not an official holiday, or a Saturday or Sunday
that the notice makes a working day (调休). The data come from the `chinesecalendar` package
(import name `chinese_calendar`), which transcribes each year's notice
(国务院办公厅关于 YYYY 年部分节假日安排的通知).

Coverage: `chinesecalendar` 1.11.0 covers 2004 to 2026. The State Council publishes the next
year's notice each November; until a package release carrying it is installed, any date in
an uncovered year raises `CalendarOutOfRange` rather than guessing from weekends, because a
guess would put deadlines on days the regulator is closed. An operator updates the calendar
by upgrading the package (`pip install -U chinesecalendar`) and restarting the service;
`covers(year)` tells whether a year is covered. Nothing here is stored in the database, so
nothing needs migrating.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache

import chinese_calendar

from crossfin.core.errors import CrossfinError

_ONE_DAY = timedelta(days=1)


class CalendarOutOfRange(CrossfinError):
    """A date falls in a year the installed holiday calendar does not cover.

    A problem (503), not a client error: the request is sound, but the server cannot count
    working days until the operator installs a calendar that covers the year.
    """

    status = 503
    slug = "calendar-out-of-range"
    title = "The official working-day calendar does not cover this date"


@lru_cache(maxsize=64)
def _working_days_of(year: int) -> tuple[date, ...]:
    """The working days of `year`, in order; raises CalendarOutOfRange if not covered."""
    day, days = date(year, 1, 1), []
    try:
        while day.year == year:
            if chinese_calendar.is_workday(day):
                days.append(day)
            day += _ONE_DAY
    except NotImplementedError as exc:  # the package's way of saying "no data for that year"
        raise CalendarOutOfRange(
            f"no official holiday calendar for {year}; upgrade the chinesecalendar package",
            year=year,
        ) from exc
    return tuple(days)


def _checked(day: date) -> date:
    # A datetime is a date to the type checker but does not compare with one.
    if isinstance(day, datetime):
        raise TypeError(f"expected a date, not a datetime: {day!r}")
    return day


def covers(year: int) -> bool:
    """Whether the installed calendar covers `year` (e.g. for a health check in December)."""
    try:
        _working_days_of(year)
    except CalendarOutOfRange:
        return False
    return True


def is_working_day(day: date) -> bool:
    """Whether `day` is an official working day in mainland China."""
    day = _checked(day)
    days = _working_days_of(day.year)
    i = bisect_left(days, day)
    return i < len(days) and days[i] == day


def _after_in_year(day: date) -> int:
    """Working days of day's year strictly after `day`."""
    days = _working_days_of(day.year)
    return len(days) - bisect_right(days, day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (start itself not counted); n >= 0, 0 gives start."""
    start = _checked(start)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0:
        return start
    year, skip = start.year, bisect_right(_working_days_of(start.year), start)
    while True:
        days = _working_days_of(year)
        if skip + n <= len(days):
            return days[skip + n - 1]
        n -= len(days) - skip
        year, skip = year + 1, 0


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative (minus those in (end, start]) if end < start."""
    start, end = _checked(start), _checked(end)
    if end < start:
        return -working_days_between(end, start)
    if start.year == end.year:
        return _after_in_year(start) - _after_in_year(end)
    count = _after_in_year(start)
    for year in range(start.year + 1, end.year):
        count += len(_working_days_of(year))
    return count + len(_working_days_of(end.year)) - _after_in_year(end)
