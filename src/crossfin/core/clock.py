"""The platform's clock, replaceable in tests, and the business calendar's date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

# Business dates (due dates, policy validity, customs years) are Chinese calendar dates:
# China Standard Time, UTC+8 all year.
CHINA = timedelta(hours=8)


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def business_date(moment: datetime | None = None) -> date:
    """The date in China Standard Time at a UTC `moment` (default: now)."""
    return ((moment or utcnow()) + CHINA).date()
