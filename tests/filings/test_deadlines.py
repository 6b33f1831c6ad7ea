"""Deadlines in working days whose clock stops, on dates crafted around the 2025 and 2026
holidays (see tests/core/test_workdays.py for the State Council notices they come from):
2025 National Day 10-1 .. 10-8 off, 9-28 (Sun) and 10-11 (Sat) working;
2026 Spring Festival 2-15 .. 2-23 off, 2-14 (Sat) and 2-28 (Sat) working."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossfin.core.errors import ValidationFailed
from crossfin.core.workdays import PACKAGE, CalendarOutOfRange
from crossfin.filings.deadlines import (
    Clock,
    DeadlineStatus,
    Pause,
    counted_days,
    due,
    status,
)

D = date
# The package's calendar alone: these dates are all in years it covers.
CAL = PACKAGE


def test_acceptance_across_national_day_2025() -> None:
    # Applied Friday 9-26; 5 working days: 9-28 (Sun), 9-29, 9-30, 10-9, 10-10.
    assert due(Clock(D(2025, 9, 26), limit=5), CAL) == D(2025, 10, 10)


def test_a_deadline_can_fall_on_an_adjusted_saturday() -> None:
    assert due(Clock(D(2025, 9, 26), limit=6), CAL) == D(2025, 10, 11)
    assert due(Clock(D(2025, 9, 22), limit=5), CAL) == D(2025, 9, 28)  # an adjusted Sunday


def test_review_and_extension_across_spring_festival_2026() -> None:
    # From Monday 2-2: 2-3 .. 2-6 (4), 2-9 .. 2-13 (9), 2-14 Sat (10), 2-24 .. 2-27 (14),
    # 2-28 Sat (15), 3-2 .. 3-6 (20); the +10 extension: 3-9 .. 3-13, 3-16 .. 3-20.
    assert due(Clock(D(2026, 2, 2), limit=20), CAL) == D(2026, 3, 6)
    assert due(Clock(D(2026, 2, 2), limit=20, extension=10), CAL) == D(2026, 3, 20)


def test_a_pause_spanning_national_day() -> None:
    # Counted: 9-23, 9-24 (the pause's start day counts); stopped over (9-24, 10-10];
    # again from 10-11 (adjusted Saturday), 10-13, 10-14.
    clock = Clock(D(2025, 9, 22), limit=5, pauses=(Pause(D(2025, 9, 24), D(2025, 10, 10)),))
    assert due(clock, CAL) == D(2025, 10, 14)
    assert counted_days(clock, D(2025, 10, 10), CAL) == 2
    assert counted_days(clock, D(2025, 10, 11), CAL) == 3


def test_how_the_pause_days_count() -> None:
    plain = Clock(D(2025, 9, 22), limit=2)
    assert due(plain, CAL) == D(2025, 9, 24)
    # A pause ending the day it starts stops nothing.
    same_day = Pause(D(2025, 9, 23), D(2025, 9, 23))
    assert due(Clock(D(2025, 9, 22), limit=2, pauses=(same_day,)), CAL) == D(2025, 9, 24)
    # Start day counts, end day does not: 9-23 counts, (9-23, 9-25] does not, then 9-26.
    one = Pause(D(2025, 9, 23), D(2025, 9, 25))
    assert due(Clock(D(2025, 9, 22), limit=2, pauses=(one,)), CAL) == D(2025, 9, 26)
    # Paused from the start day: nothing counts until after the end day.
    at_start = Pause(D(2025, 9, 22), D(2025, 9, 24))
    assert due(Clock(D(2025, 9, 22), limit=2, pauses=(at_start,)), CAL) == D(2025, 9, 26)
    # Two pauses back to back: the second may start the day the first ends.
    twice = (Pause(D(2025, 9, 22), D(2025, 9, 23)), Pause(D(2025, 9, 23), D(2025, 9, 24)))
    assert due(Clock(D(2025, 9, 22), limit=2, pauses=twice), CAL) == D(2025, 9, 26)


def test_an_open_pause_has_no_due_date_and_freezes_the_days_left() -> None:
    clock = Clock(D(2025, 9, 22), limit=5, pauses=(Pause(D(2025, 9, 24)),))
    assert due(clock, CAL) is None
    assert status(clock, D(2025, 9, 23), CAL) == DeadlineStatus(None, 4, False, False)
    assert status(clock, D(2025, 9, 24), CAL) == DeadlineStatus(None, 3, False, True)
    assert status(clock, D(2025, 10, 20), CAL) == DeadlineStatus(None, 3, False, True)


def test_a_pause_opened_after_the_due_date_does_not_move_it() -> None:
    clock = Clock(D(2025, 9, 22), limit=2, pauses=(Pause(D(2025, 9, 26)),))
    assert due(clock, CAL) == D(2025, 9, 24)
    # Counted 9-23 .. 9-26 before the pause: two days past the allowance.
    assert status(clock, D(2025, 10, 20), CAL) == DeadlineStatus(D(2025, 9, 24), -2, True, True)


def test_status_around_the_due_day() -> None:
    clock = Clock(D(2025, 9, 26), limit=5)  # due 10-10 (Friday)
    assert status(clock, D(2025, 9, 25), CAL) == DeadlineStatus(D(2025, 10, 10), 5, False, False)
    assert status(clock, D(2025, 10, 1), CAL) == DeadlineStatus(D(2025, 10, 10), 2, False, False)
    assert status(clock, D(2025, 10, 10), CAL) == DeadlineStatus(D(2025, 10, 10), 0, False, False)
    # The adjusted Saturday 10-11 is a working day: one past.
    assert status(clock, D(2025, 10, 11), CAL) == DeadlineStatus(D(2025, 10, 10), -1, True, False)
    saturday = Clock(D(2025, 9, 26), limit=6)  # due 10-11 (adjusted Saturday)
    # Sunday 10-12 is no working day, yet the due day has passed.
    assert status(saturday, D(2025, 10, 12), CAL) == DeadlineStatus(D(2025, 10, 11), 0, True, False)
    assert status(saturday, D(2025, 10, 13), CAL).working_days_left == -1


def test_a_paused_status_after_the_pause_ends() -> None:
    clock = Clock(D(2025, 9, 22), limit=5, pauses=(Pause(D(2025, 9, 24), D(2025, 10, 10)),))
    assert status(clock, D(2025, 10, 9), CAL).paused
    assert not status(clock, D(2025, 10, 10), CAL).paused  # the material arrived that day
    assert status(clock, D(2025, 10, 14), CAL) == DeadlineStatus(D(2025, 10, 14), 0, False, False)


def test_zero_days_is_due_at_once() -> None:
    assert due(Clock(D(2025, 9, 27), limit=0), CAL) == D(2025, 9, 27)
    assert status(Clock(D(2025, 9, 27), limit=0), D(2025, 9, 28), CAL).overdue


def test_as_dict_is_json() -> None:
    answer = status(Clock(D(2026, 2, 2), limit=20), D(2026, 2, 13), CAL).as_dict()
    assert answer == {
        "due": "2026-03-06",
        "working_days_left": 11,
        "overdue": False,
        "paused": False,
    }
    assert json.loads(json.dumps(answer)) == answer
    paused = Clock(D(2026, 2, 2), limit=20, pauses=(Pause(D(2026, 2, 3)),))
    assert status(paused, D(2026, 2, 13), CAL).as_dict()["due"] is None


@pytest.mark.parametrize(
    ("clock", "field", "reason"),
    [
        (dict(limit=-1), "limit", "must be 0 or more"),
        (dict(limit=5, extension=-10), "extension", "must be 0 or more"),
        (dict(limit=5, pauses=(Pause(D(2025, 9, 21), D(2025, 9, 23)),)), "pauses[0].start", ""),
        (dict(limit=5, pauses=(Pause(D(2025, 9, 24), D(2025, 9, 23)),)), "pauses[0].end", ""),
        (
            dict(limit=5, pauses=(Pause(D(2025, 9, 23)), Pause(D(2025, 9, 25), D(2025, 9, 26)))),
            "pauses[0].end",
            "only the last pause may be open",
        ),
        (
            dict(
                limit=5,
                pauses=(
                    Pause(D(2025, 9, 23), D(2025, 9, 26)),
                    Pause(D(2025, 9, 25), D(2025, 9, 29)),
                ),
            ),
            "pauses[1].start",
            "before the previous pause ended",
        ),
    ],
)
def test_impossible_clocks_are_refused(clock: dict[str, object], field: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        Clock(D(2025, 9, 22), **clock)  # type: ignore[arg-type]
    assert [e.field for e in refused.value.errors] == [field]
    assert reason in refused.value.errors[0].reason


def test_a_deadline_past_the_calendar_is_refused() -> None:
    with pytest.raises(CalendarOutOfRange):
        due(Clock(D(2026, 12, 20), limit=20), CAL)
    with pytest.raises(CalendarOutOfRange):
        status(Clock(D(2026, 12, 1), limit=5), D(2027, 1, 4), CAL)


@st.composite
def clocks(draw: st.DrawFn) -> Clock:
    """Clocks from 2004 to 2025 with up to three closed pauses and maybe an open one."""
    started = draw(st.dates(min_value=D(2004, 1, 1), max_value=D(2025, 6, 30)))
    pauses, at = [], started
    for _ in range(draw(st.integers(0, 3))):
        start = at + timedelta(days=draw(st.integers(0, 20)))
        at = start + timedelta(days=draw(st.integers(0, 20)))
        pauses.append(Pause(start, at))
    if draw(st.booleans()):
        pauses.append(Pause(at + timedelta(days=draw(st.integers(0, 40)))))
    return Clock(
        started, draw(st.integers(0, 40)), tuple(pauses), extension=draw(st.integers(0, 10))
    )


@given(clocks())
def test_the_due_day_uses_up_the_allowance_exactly(clock: Clock) -> None:
    when = due(clock, CAL)
    if when is None:
        assert clock.pauses[-1].end is None
        assert counted_days(clock, clock.pauses[-1].start, CAL) < clock.total
        return
    assert counted_days(clock, when, CAL) == clock.total
    assert status(clock, when, CAL).working_days_left == 0
    assert not status(clock, when, CAL).overdue
    assert status(clock, when + timedelta(days=1), CAL).overdue
    if clock.total >= 1:
        assert CAL.is_working_day(when)
        assert counted_days(clock, when - timedelta(days=1), CAL) == clock.total - 1
        assert not any(p.start < when <= (p.end or when) for p in clock.pauses)


@given(clocks())
def test_pauses_never_bring_a_deadline_forward(clock: Clock) -> None:
    when = due(clock, CAL)
    plain = CAL.add_working_days(clock.started, clock.total)
    assert when is None or when >= plain
    if not clock.pauses:
        assert when == plain
