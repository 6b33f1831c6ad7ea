"""The business date: the calendar date in China (UTC+8) at a UTC moment."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crossfin.core.clock import business_date, utcnow


def test_the_business_day_starts_at_16_utc() -> None:
    assert business_date(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert business_date(datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_default_is_now() -> None:
    before = business_date(utcnow())
    assert business_date() in {before, business_date(utcnow())}
