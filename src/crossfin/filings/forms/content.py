"""A filing's content: the JSON the filings workflow stores, as a pydantic model.

    {"form": "SAFE-FAL-M", "version": 1, "period": "2026-11",
     "tables": {"A1": [{"INSTR": "A01", "CTRY": "US", "CCY": "USD",
                        "OPN": 100000, "TRN": 2500, ..., "CLS": 102500}, ...]}}

A row is one object: its key cells (codes, strings) and its value cells by column code.
Amounts are integers in the minor units of the row's currency; integers are integers;
codes and text are strings; an absent or null cell is empty. Monthly periods are `YYYY-MM`,
quarterly `YYYY-Qn`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from crossfin.core.errors import ValidationFailed as ValidationFailed
from crossfin.core.errors import field_errors, invalid

Cell = StrictInt | StrictStr | None
Row = dict[str, Cell]
MONTHLY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTERLY = re.compile(r"^(\d{4})-Q([1-4])$")


class Content(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form: str = Field(min_length=1)
    version: int = Field(ge=1)
    period: str
    tables: dict[str, list[Row]]

    def to_content(self) -> dict[str, Any]:
        """The JSON-ready dict helper S stores (empty cells left out)."""
        return {
            "form": self.form,
            "version": self.version,
            "period": self.period,
            "tables": {
                code: [{k: v for k, v in row.items() if v is not None} for row in rows]
                for code, rows in self.tables.items()
            },
        }

    @classmethod
    def from_content(cls, data: Any) -> Content:
        """Parse stored or submitted JSON; ValidationFailed names the offending path."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc, default="content")) from None


def period_matches(period: str, kind: Literal["monthly", "quarterly"]) -> bool:
    """True when `period` is written as the kind requires (2026-11, 2026-Q4)."""
    return bool((MONTHLY if kind == "monthly" else QUARTERLY).match(period))


def previous_period(period: str) -> str:
    """The period before `period` (2026-01 -> 2025-12, 2026-Q1 -> 2025-Q4)."""
    if m := MONTHLY.match(period):
        year, month = int(m[1]), int(m[2])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
    if m := QUARTERLY.match(period):
        year, quarter = int(m[1]), int(m[2])
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    raise invalid("period", "must be YYYY-MM or YYYY-Qn")
