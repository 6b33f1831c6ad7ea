"""A statistics period's last day: where its deadline clock starts."""

from __future__ import annotations

import calendar
from datetime import date

from crossfin.core.errors import invalid
from crossfin.filings.forms.content import MONTHLY, QUARTERLY


def normal(period: str | None) -> str:
    """`2026Q3` (the generic filings' spelling) as the templates write it, `2026-Q3`."""
    text = period or ""
    return text if "-Q" in text else text.replace("Q", "-Q")


def period_end(period: str | None) -> date:
    """The last calendar day of `2026-10` (31 October) or `2026-Q3` (30 September); the
    generic `2026Q3` spelling is read too. 422 naming `period` otherwise."""
    text = normal(period)
    if m := MONTHLY.match(text):
        year, month = int(m[1]), int(m[2])
    elif m := QUARTERLY.match(text):
        year, month = int(m[1]), int(m[2]) * 3
    else:
        raise invalid("period", "a statistics filing names its period: YYYY-MM or YYYY-Qn")
    return date(year, month, calendar.monthrange(year, month)[1])
