"""The result of validation and of reading an upload: issues, each naming one exact cell."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from crossfin.filings.forms.rules import Severity


class Issue(BaseModel):
    """One broken cell: table, row key (its codes), column, the rule and what was expected.

    `index` is the row's 0-based position in the content's table (None when the row is
    absent, e.g. a summary row that should exist); `table`, `row` and `column` are None
    only for an issue with the whole form (its code, version or period) or a whole row.
    """

    model_config = ConfigDict(frozen=True)

    table: str | None
    row: dict[str, str] | None
    column: str | None
    index: int | None
    rule: str
    severity: Severity
    message_en: str
    message_zh: str
    expected: str | None = None
    found: str | None = None

    def where(self) -> str:
        """`A1[INSTR=A01,CTRY=US,CCY=USD].CLS`: how logs and the CLI name the cell."""
        keys = ",".join(f"{k}={v}" for k, v in (self.row or {}).items())
        text = self.table or "form"
        text += f"[{keys}]" if self.row is not None else ""
        return text + (f".{self.column}" if self.column else "")


class Report(BaseModel):
    errors: list[Issue]
    warnings: list[Issue]

    @property
    def accepted(self) -> bool:
        """No error: the filing may be accepted (its warnings still need an explanation)."""
        return not self.errors

    @property
    def issues(self) -> list[Issue]:
        return [*self.errors, *self.warnings]

    @classmethod
    def of(cls, issues: list[Issue]) -> Report:
        return cls(
            errors=[i for i in issues if i.severity == "error"],
            warnings=[i for i in issues if i.severity == "warning"],
        )
