"""China's official working days, checked by hand against the State Council notices.

The expected dates below were written from the notices themselves, not read from the package,
so a wrong or stale package fails these tests:
- 2025: 国务院办公厅关于2025年部分节假日安排的通知,
  https://www.gov.cn/gongbao/2024/issue_11726/202411/content_6989767.html
  Spring Festival 1月28日至2月4日 off, 1月26日(周日) and 2月8日(周六) working;
  National Day and Mid-Autumn 10月1日至8日 off, 9月28日(周日) and 10月11日(周六) working.
- 2026: 国务院办公厅关于2026年部分节假日安排的通知,
  https://www.gov.cn/gongbao/2025/issue_12406/202511/content_7048922.html
  New Year 1月1日至3日 off, 1月4日(周日) working;
  Spring Festival 2月15日至23日 off, 2月14日(周六) and 2月28日(周六) working;
  Mid-Autumn 9月25日至27日 off; National Day 10月1日至7日 off, 9月20日(周日) and
  10月10日(周六) working.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossfin.core.errors import all_problem_types
from crossfin.core.workdays import PACKAGE, CalendarOutOfRange

# The package's calendar alone (tests/filings/test_calendar.py checks loaded notices).
add_working_days = PACKAGE.add_working_days
covers = PACKAGE.covers
is_working_day = PACKAGE.is_working_day
working_days_between = PACKAGE.working_days_between

D = date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2025 Spring Festival
        (D(2025, 1, 24), True),  # Friday
        (D(2025, 1, 25), False),  # Saturday, ordinary weekend
        (D(2025, 1, 26), True),  # Sunday made a working day
        (D(2025, 1, 27), True),
        *[(D(2025, 1, 28) + timedelta(days=i), False) for i in range(8)],  # 1-28 .. 2-4
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),  # Saturday made a working day
        (D(2025, 2, 9), False),
        # 2025 National Day
        (D(2025, 9, 27), False),
        (D(2025, 9, 28), True),  # Sunday made a working day
        *[(D(2025, 10, 1) + timedelta(days=i), False) for i in range(8)],  # 10-1 .. 10-8
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday made a working day
        (D(2025, 10, 12), False),
        # 2026 New Year and Spring Festival
        (D(2026, 1, 2), False),  # Friday off
        (D(2026, 1, 4), True),  # Sunday made a working day
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),  # Saturday made a working day
        *[(D(2026, 2, 15) + timedelta(days=i), False) for i in range(9)],  # 2-15 .. 2-23
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday made a working day
        (D(2026, 3, 1), False),
        # 2026 Mid-Autumn and National Day
        (D(2026, 9, 20), True),  # Sunday made a working day
        (D(2026, 9, 25), False),  # Friday, Mid-Autumn
        *[(D(2026, 10, 1) + timedelta(days=i), False) for i in range(7)],  # 10-1 .. 10-7
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday made a working day
        (D(2026, 10, 11), False),
    ],
)
def test_official_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 1, 24), 0, D(2025, 1, 24)),
        (D(2025, 1, 25), 0, D(2025, 1, 25)),  # n == 0 is the start, working day or not
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # the adjusted Sunday counts
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),  # the whole festival skipped
        (D(2025, 1, 28), 1, D(2025, 2, 5)),  # from inside the holiday
        (D(2025, 2, 5), 3, D(2025, 2, 8)),  # lands on the adjusted Saturday
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 26), 4, D(2025, 10, 9)),
        (D(2025, 10, 9), 2, D(2025, 10, 11)),  # lands on the adjusted Saturday
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # across the year, onto the adjusted Sunday
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 24), 4, D(2026, 2, 28)),  # lands on the adjusted Saturday
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # Mid-Autumn Friday and weekend skipped
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # lands on the adjusted Saturday
        (D(2025, 1, 24), 20, D(2025, 2, 27)),  # 20 working days across Spring Festival 2025
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 1, 24), D(2025, 1, 24), 0),
        (D(2025, 1, 24), D(2025, 2, 9), 6),  # 1-26, 1-27, 2-5, 2-6, 2-7, 2-8
        (D(2025, 9, 26), D(2025, 10, 12), 6),  # 9-28, 9-29, 9-30, 10-9, 10-10, 10-11
        (D(2025, 12, 30), D(2026, 1, 5), 3),  # 12-31, 1-4, 1-5
        (D(2026, 2, 12), D(2026, 3, 1), 7),  # 2-13, 2-14, 2-24 .. 2-28
        (D(2026, 9, 18), D(2026, 10, 11), 11),  # 9-20 .. 9-24, 9-28 .. 9-30, 10-8 .. 10-10
        (D(2026, 10, 11), D(2026, 9, 18), -11),  # reversed: negative
        # 2025 whole: 365 days - 104 weekend days - 18 weekday holidays + 5 adjusted weekend days
        (D(2024, 12, 31), D(2025, 12, 31), 248),
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


def test_uncovered_years_are_refused_not_guessed() -> None:
    assert covers(2026) and covers(2004)
    assert not covers(2003) and not covers(2027)
    with pytest.raises(CalendarOutOfRange) as refused:
        is_working_day(D(2027, 1, 4))
    assert refused.value.extra == {"year": 2027}
    with pytest.raises(CalendarOutOfRange):
        is_working_day(D(2003, 12, 31))
    with pytest.raises(CalendarOutOfRange):
        add_working_days(D(2026, 12, 30), 5)  # runs past 2026-12-31 into 2027
    with pytest.raises(CalendarOutOfRange):
        working_days_between(D(2026, 12, 1), D(2027, 1, 10))
    assert add_working_days(D(2026, 12, 30), 1) == D(2026, 12, 31)  # the last covered day


def test_out_of_range_is_a_stable_problem() -> None:
    problem = CalendarOutOfRange(2027).problem()
    assert problem["status"] == 503
    assert problem["type"] == "https://crossfin.dev/problems/calendar-out-of-range"
    assert problem["year"] == 2027
    # The detail says how to fix it: load the notice, or upgrade the package.
    assert "crossfin calendar load FILE" in problem["detail"]
    assert "upgrade the chinesecalendar package" in problem["detail"]
    assert all_problem_types()["calendar-out-of-range"] is CalendarOutOfRange


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        add_working_days(D(2025, 1, 2), -1)
    with pytest.raises(TypeError, match="not a datetime"):
        is_working_day(datetime(2025, 1, 2, 9, 0))


covered = st.dates(min_value=D(2004, 1, 1), max_value=D(2025, 12, 31))


@given(covered, st.integers(min_value=0, max_value=200))
def test_add_then_count_round_trips(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    if n >= 1:
        assert is_working_day(end)
        assert end > start
        assert add_working_days(start, n - 1) < end


@given(
    st.dates(min_value=D(2004, 3, 1), max_value=D(2026, 10, 31)),
    st.integers(min_value=-60, max_value=60),
)
def test_count_matches_a_day_by_day_walk(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    low, high = min(start, end), max(start, end)
    walked = sum(is_working_day(low + timedelta(days=i)) for i in range(1, (high - low).days + 1))
    assert working_days_between(start, end) == (walked if end >= start else -walked)


def test_the_package_year_lists_only_the_days_that_differ() -> None:
    year = PACKAGE.year(2026)
    assert year.source.startswith("chinesecalendar ")
    special = {d.day: d.kind for d in year.days}
    assert special[D(2026, 2, 14)] == "workday"  # a Saturday worked
    assert special[D(2026, 2, 16)] == "holiday"  # a Monday off
    assert D(2026, 2, 15) not in special  # a Sunday in the festival: off anyway
    assert len(year.working_days()) == working_days_between(D(2025, 12, 31), D(2026, 12, 31))
