"""Field types every input schema shares: ISO 8601 dates and times, ids within their columns.

pydantic, even in strict mode, reads `0` or `"0"` as 1970-01-01 (a Unix timestamp); an
integration that sends a number where a date belongs has a bug we should name, not a
loan due in 1970. These types take a date object (Python callers) or ISO text only.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A date, "T", a time, and an explicit offset: a moment without one is ambiguous.
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


def _iso_moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _MOMENT.match(value):
        return value
    raise ValueError("must be a moment written YYYY-MM-DDTHH:MM[:SS]+HH:MM (or Z)")


# PostgreSQL `integer` columns (every table's id) hold at most this.
INT32_MAX = 2**31 - 1

IsoDate = Annotated[date, BeforeValidator(_iso_date)]
# A row id in a request body (`bank_org_id`, `offer_id`, ...).
RowId = Annotated[int, Field(ge=1, le=INT32_MAX)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_moment)]
