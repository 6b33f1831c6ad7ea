"""China's official working days, from the State Council's yearly holiday notices.

A working day is a Monday to Friday that is not an official holiday, or a Saturday or Sunday
that the notice makes a working day (调休). Each year comes from one of two sources:

- the `chinesecalendar` package (import name `chinese_calendar`), which transcribes each
  year's notice (国务院办公厅关于 YYYY 年部分节假日安排的通知); 1.11.0 covers 2004 to 2026;
- a notice an operator loaded as data (`crossfin calendar load FILE`, stored in the database
  by `crossfin.filings.calendar`), which overrides the package for its year.

This module is the pure counting: a `Calendar` is built from the loaded years handed to it
(the injectable source: the floors keep core below the database tables that hold them) and
falls back to the package for the others. `PACKAGE` is the package alone; services count
with `crossfin.filings.calendar.cache.official_calendar(session)`, which adds the loaded years.

A date in a year neither source covers raises `CalendarOutOfRange` (503) rather than
guessing from weekends: a guess would put deadlines on days the regulator is closed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib.metadata import version
from typing import Literal

import chinese_calendar

from crossfin.core.errors import CrossfinError

_ONE_DAY = timedelta(days=1)
DayKind = Literal["holiday", "workday"]


class CalendarOutOfRange(CrossfinError):
    """A date falls in a year no official calendar covers (neither loaded nor packaged).

    A problem (503), not a client error: the request is sound, but the server cannot count
    working days until the operator loads the year's notice or upgrades the package.
    """

    status = 503
    slug = "calendar-out-of-range"
    title = "The official working-day calendar does not cover this date"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"no official working-day calendar for {year}: an operator must load the State "
            f"Council's holiday notice for {year} with `crossfin calendar load FILE` (format "
            f"in docs/filings.md), or upgrade the chinesecalendar package to a release that "
            f"covers {year} and restart the workers",
            year=year,
        )


@dataclass(frozen=True)
class SpecialDay:
    """A day that differs from the weekday/weekend default: a weekday `holiday` off, or a
    weekend day made a `workday` (调休); `name` is the festival the notice names."""

    day: date
    kind: DayKind
    name: str


@dataclass(frozen=True)
class OfficialYear:
    """One year as a notice sets it: its special days, and where they come from."""

    year: int
    days: tuple[SpecialDay, ...]
    source: str  # e.g. "chinesecalendar 1.11.0", or the loaded notice and its ledger event

    def working_days(self) -> tuple[date, ...]:
        """The year's working days, in order."""
        special = {d.day: d.kind == "workday" for d in self.days}
        day, days = date(self.year, 1, 1), []
        while day.year == self.year:
            if special.get(day, day.weekday() < 5):
                days.append(day)
            day += _ONE_DAY
        return tuple(days)


def package_source() -> str:
    """The package's name and installed version, as a year's source."""
    return f"chinesecalendar {version('chinesecalendar')}"


@cache
def package_year(year: int) -> OfficialYear | None:
    """The year as the installed package has it, or None if the package does not cover it."""
    day, days = date(year, 1, 1), []
    try:
        while day.year == year:
            working, weekday = chinese_calendar.is_workday(day), day.weekday() < 5
            if working != weekday:
                _, name = chinese_calendar.get_holiday_detail(day)
                kind: DayKind = "workday" if working else "holiday"
                days.append(SpecialDay(day, kind, str(name or "")))
            day += _ONE_DAY
    except NotImplementedError:  # the package's way of saying "no data for that year"
        return None
    return OfficialYear(year, tuple(days), package_source())


def _checked(day: date) -> date:
    # A datetime is a date to the type checker but does not compare with one.
    if isinstance(day, datetime):
        raise TypeError(f"expected a date, not a datetime: {day!r}")
    return day


class Calendar:
    """Working days from `loaded` years (each overriding the package) and the package.

    `version` names the loaded years' state (the caller's cache key); the working days of
    each year are computed once per calendar.
    """

    def __init__(self, loaded: Mapping[int, OfficialYear] | None = None, version: str = "") -> None:
        self.loaded = dict(loaded or {})
        self.version = version
        self._days: dict[int, tuple[date, ...]] = {}

    def year(self, year: int) -> OfficialYear:
        """The year in force: the loaded notice, else the package's; else CalendarOutOfRange."""
        found = self.loaded.get(year) or package_year(year)
        if found is None:
            raise CalendarOutOfRange(year)
        return found

    def _working_days_of(self, year: int) -> tuple[date, ...]:
        days = self._days.get(year)
        if days is None:
            days = self._days[year] = self.year(year).working_days()
        return days

    def covers(self, year: int) -> bool:
        """Whether a loaded notice or the package covers `year` (check next year in December)."""
        return year in self.loaded or package_year(year) is not None

    def source_of(self, year: int) -> str:
        """Where `year`'s days come from (for the record a deadline keeps of its calendar)."""
        return self.year(year).source

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is an official working day in mainland China."""
        day = _checked(day)
        days = self._working_days_of(day.year)
        i = bisect_left(days, day)
        return i < len(days) and days[i] == day

    def _after_in_year(self, day: date) -> int:
        """Working days of day's year strictly after `day`."""
        days = self._working_days_of(day.year)
        return len(days) - bisect_right(days, day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start not counted); n >= 0, 0 gives start."""
        start = _checked(start)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return start
        year, skip = start.year, bisect_right(self._working_days_of(start.year), start)
        while True:
            days = self._working_days_of(year)
            if skip + n <= len(days):
                return days[skip + n - 1]
            n -= len(days) - skip
            year, skip = year + 1, 0

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (minus those in (end, start]) if end < start."""
        start, end = _checked(start), _checked(end)
        if end < start:
            return -self.working_days_between(end, start)
        if start.year == end.year:
            return self._after_in_year(start) - self._after_in_year(end)
        count = self._after_in_year(start)
        for year in range(start.year + 1, end.year):
            count += len(self._working_days_of(year))
        return count + len(self._working_days_of(end.year)) - self._after_in_year(end)


# The package alone: for code and tests that must not depend on what an operator loaded.
PACKAGE = Calendar()
