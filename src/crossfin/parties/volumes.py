"""What a business domain hands supervision for the monthly-volume rule: one record's USD
part of a firm's month. It lives here, below the domains, so that financing and payments
describe their volumes without importing supervision (or each other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from crossfin.core.clock import CHINA
from crossfin.parties.alerts import Evidence


@dataclass(frozen=True)
class Volume:
    org_id: int
    month: str  # YYYY-MM, China's calendar
    usd: Decimal
    record: Evidence


def china_midnight(day: date) -> datetime:
    """The UTC instant China's `day` begins."""
    return datetime.combine(day, time(), tzinfo=UTC) - CHINA
