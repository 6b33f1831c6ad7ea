"""The platform's clock, replaceable in tests, and the business calendar's date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta

# Business dates (due dates, policy validity, customs years) are Chinese calendar dates:
# China Standard Time, UTC+8 all year.
CHINA = timedelta(hours=8)


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


# The business day `business_date()` answers instead of today (see `as_of_business_day`).
_AS_OF: ContextVar[date | None] = ContextVar("crossfin_business_day", default=None)


def business_date(moment: datetime | None = None) -> date:
    """The date in China Standard Time at a UTC `moment` (default: now, or the day set by
    `as_of_business_day`)."""
    if moment is None:
        pinned = _AS_OF.get()
        if pinned is not None:
            return pinned
    return ((moment or utcnow()) + CHINA).date()


@contextmanager
def as_of_business_day(day: date) -> Iterator[None]:
    """Act as of business day `day`: dates the rules take from "today" (a deadline clock's
    start, a pause) are `day`; timestamps and the ledger's times stay real. For loading
    backdated demo data (demo/licences.py), never for requests."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)
