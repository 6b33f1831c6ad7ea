"""Class tests pin the business date: a class takes effect on a date (UTC+8), and a test
that runs across midnight in China must not see "today" move between two steps."""

from __future__ import annotations

from datetime import UTC, datetime, time

from crossfin.core.clock import business_date

# 12:00 in China on today's UTC date: never near a business day's edge.
NOON = datetime.combine(datetime.now(UTC).date(), time(4, 0), tzinfo=UTC)
TODAY = business_date(NOON)
