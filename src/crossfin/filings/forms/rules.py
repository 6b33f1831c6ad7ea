"""Validation rules held as data: each has an id, a severity and its message in en and zh.

A form's JSON lists its rules; `validate.py` runs each kind. The kinds:

- `required`: the named columns must hold a value in every row of the table;
- `types`: every cell holds its column's type (amount and integer: whole numbers; code and
  text: strings, text no longer than the column allows) and no unknown column appears;
- `codes`: every key cell and code cell is in its code list;
- `unique`: no two rows of a table share their row key;
- `range`: the named columns lie within [min, max] (either bound optional);
- `stock_flow`: opening + the flows = closing, within `tolerance` minor units;
- `totals`: each summary row equals the sum of the detail rows of its group, per column;
- `continuity`: this period's opening equals the previous accepted filing's closing.

Error blocks acceptance; a warning needs the filer's explanation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning"]


class RuleBase(BaseModel):
    """What every rule carries: its stable id, severity, messages and the table it checks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=40)
    severity: Severity
    table: str
    message_en: str = Field(min_length=1)
    message_zh: str = Field(min_length=1)

    def columns_named(self) -> tuple[str, ...]:
        """The columns of `table` the rule reads (the form checks they exist)."""
        return ()


class Required(RuleBase):
    kind: Literal["required"] = "required"
    columns: tuple[str, ...] = Field(min_length=1)

    def columns_named(self) -> tuple[str, ...]:
        return self.columns


class Types(RuleBase):
    kind: Literal["types"] = "types"


class Codes(RuleBase):
    kind: Literal["codes"] = "codes"


class Unique(RuleBase):
    kind: Literal["unique"] = "unique"


class Range(RuleBase):
    kind: Literal["range"] = "range"
    columns: tuple[str, ...] = Field(min_length=1)
    min: int | None = None
    max: int | None = None

    def columns_named(self) -> tuple[str, ...]:
        return self.columns


class StockFlow(RuleBase):
    """opening + sum(flows) = closing; the issue names the closing cell."""

    kind: Literal["stock_flow"] = "stock_flow"
    opening: str
    flows: tuple[str, ...] = Field(min_length=1)
    closing: str
    tolerance: int = Field(ge=0, description="largest accepted |difference|, in minor units")

    def columns_named(self) -> tuple[str, ...]:
        return (self.opening, *self.flows, self.closing)


class Totals(RuleBase):
    """Each row of `table` (the summary) equals the sum of `detail`'s rows of its group.

    The summary's row key is exactly `group_by`, so each total is one cell.
    """

    kind: Literal["totals"] = "totals"
    detail: str
    group_by: tuple[str, ...] = Field(min_length=1)
    columns: tuple[str, ...] = Field(min_length=1)
    tolerance: int = Field(default=0, ge=0)

    def columns_named(self) -> tuple[str, ...]:
        return self.columns


class Continuity(RuleBase):
    """`opening` of each row equals `closing` of the same row key in the previous filing."""

    kind: Literal["continuity"] = "continuity"
    opening: str
    closing: str
    tolerance: int = Field(default=0, ge=0)

    def columns_named(self) -> tuple[str, ...]:
        return (self.opening, self.closing)


Rule = Annotated[
    Required | Types | Codes | Unique | Range | StockFlow | Totals | Continuity,
    Field(discriminator="kind"),
]
