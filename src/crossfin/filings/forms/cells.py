"""Reading one uploaded row into content cells, with a parse issue per unreadable cell.

Amounts are written in major units of the row's currency (`1234.56` for USD), negative
when a flow is negative, and stored as integer minor units; an XLSX number cell is read
through its shortest decimal text, so a typed `1234.56` stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from crossfin.core.money import currency_exponent
from crossfin.filings.forms.content import Cell, Row
from crossfin.filings.forms.definition import Table
from crossfin.filings.forms.issues import Issue

SHEET_NUMBER = "SHEET-NUMBER"
SHEET_DECIMALS = "SHEET-DECIMALS"
SHEET_CURRENCY = "SHEET-CURRENCY"
SHEET_COLUMN = "SHEET-COLUMN"
SHEET_TABLE = "SHEET-TABLE"
SHEET_PERIOD = "SHEET-PERIOD"
SHEET_FORM = "SHEET-FORM"

MESSAGES = {
    SHEET_NUMBER: ("The cell is not a number.", "单元格不是数字。"),
    SHEET_DECIMALS: (
        "The amount has more decimals than its currency.",
        "金额的小数位数超过币种允许的位数。",
    ),
    SHEET_CURRENCY: (
        "Unknown currency: the row's amounts cannot be read.",
        "币种代码无效，无法读取本行金额。",  # noqa: RUF001
    ),
    SHEET_COLUMN: ("The sheet has a column the table does not.", "工作表含有本表没有的栏目。"),
    SHEET_TABLE: ("The form has no such table.", "本报表没有此表。"),
    SHEET_PERIOD: ("The period is missing or differs between rows.", "报告期缺失或各行不一致。"),
    SHEET_FORM: ("The file is for another form or version.", "文件属于其他报表或版本。"),
}

Raw = str | int | float | Decimal | date | datetime | bool | None


def sheet_issue(
    rule: str,
    table: str | None,
    row: dict[str, str] | None = None,
    column: str | None = None,
    index: int | None = None,
    expected: str | None = None,
    found: str | None = None,
) -> Issue:
    en, zh = MESSAGES[rule]
    return Issue(
        table=table, row=row, column=column, index=index, rule=rule, severity="error",
        message_en=en, message_zh=zh, expected=expected, found=found,
    )  # fmt: skip


def text_of(value: Raw) -> str | None:
    """A cell as stripped text (None when empty); integral floats lose their `.0`."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


@dataclass
class RowReader:
    """Turns raw rows of one table into content rows, collecting parse issues."""

    table: Table
    issues: list[Issue] = field(default_factory=list)

    def read(self, raw: dict[str, Raw], index: int) -> Row:
        row: Row = {k: text_of(raw.get(k)) for k in self.table.key_codes}
        key = {k: v or "" for k, v in row.items() if isinstance(v, str) or v is None}
        exponent = self._exponent(row, key, index)
        for name, value in raw.items():
            if name in row:
                continue
            column = self.table.column(name)
            text = text_of(value)
            if column is None:
                if text is not None:
                    self.issues.append(
                        sheet_issue(SHEET_COLUMN, self.table.code, key, name, index, found=text)
                    )
                continue
            if text is None:
                continue
            if column.type in ("code", "text"):
                row[name] = text
            elif column.type == "integer" or exponent is not None:
                places = 0 if column.type == "integer" else exponent
                number = self._number(text, places, key, name, index)
                if number is not None:
                    row[name] = number
        return row

    def _exponent(self, row: Row, key: dict[str, str], index: int) -> int | None:
        if self.table.currency_key is None:
            return None
        ccy = row.get(self.table.currency_key)
        try:
            return currency_exponent(ccy if isinstance(ccy, str) else "")
        except ValueError:  # the amounts stay unread: the filer is told why, on this cell
            self.issues.append(
                sheet_issue(
                    SHEET_CURRENCY,
                    self.table.code,
                    key,
                    self.table.currency_key,
                    index,
                    expected="an ISO 4217 currency",
                    found=ccy if isinstance(ccy, str) else None,
                )
            )
            return None

    def _number(
        self, text: str, exponent: int | None, key: dict[str, str], name: str, index: int
    ) -> Cell:
        try:
            value = Decimal(text.replace(",", ""))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            self.issues.append(
                sheet_issue(SHEET_NUMBER, self.table.code, key, name, index, found=text)
            )
            return None
        scaled = value.scaleb(exponent or 0)
        if scaled != scaled.to_integral_value():
            self.issues.append(
                sheet_issue(
                    SHEET_DECIMALS,
                    self.table.code,
                    key,
                    name,
                    index,
                    expected=f"at most {exponent or 0} decimals",
                    found=text,
                )
            )
            return None
        return int(scaled)
