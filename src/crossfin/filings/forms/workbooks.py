"""Writing workbooks: the empty template of a form and the per-cell report of a filing.

The report lists every issue (CSV, or an `ISSUES` sheet) and, in XLSX, shows the filing
again with each broken cell filled (red for an error, amber for a warning) and a comment
giving the rule and its message in Chinese and English.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from crossfin.core.money import format_amount
from crossfin.filings.forms import codes as std
from crossfin.filings.forms.content import Cell, Content, Row
from crossfin.filings.forms.definition import FormDefinition, Table
from crossfin.filings.forms.issues import Issue

FORM_SHEET = "FORM"
ISSUES_SHEET = "ISSUES"
CODES_SHEET = "CODES"
REPORT_COLUMNS = (
    "severity", "rule", "table", "row", "column", "line",
    "expected", "found", "message_en", "message_zh",
)  # fmt: skip
FILLS = {
    "error": PatternFill("solid", start_color="FFF4B4B4"),
    "warning": PatternFill("solid", start_color="FFFFE08A"),
}
# Each comment is a drawn shape: past this many, broken cells are filled but not commented
# (the ISSUES sheet lists every issue), so a report of a wholly broken upload stays quick.
MAX_COMMENTS = 2_000
LISTED_ROWS = 10_000  # rows of a template that offer the drop-down code lists


# A spreadsheet program runs a cell starting with one of these as a formula (OWASP "CSV
# injection"); the report repeats what the filer typed, so such text is quoted, numbers are not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """`text` as a spreadsheet shows it literally: a leading quote before a formula start."""
    if not text.startswith(FORMULA_START):
        return text
    try:
        Decimal(text)
    except ArithmeticError:
        return "'" + text
    return text


def _report_row(issue: Issue) -> list[str]:
    row = ";".join(f"{k}={v}" for k, v in (issue.row or {}).items())
    line = "" if issue.index is None else str(issue.index + 2)  # the sheet row, after the header
    cells = [
        issue.severity, issue.rule, issue.table or "", row, issue.column or "", line,
        issue.expected or "", issue.found or "", issue.message_en, issue.message_zh,
    ]  # fmt: skip
    return [inert(c) for c in cells]


def write_report_csv(issues: list[Issue]) -> bytes:
    """The per-cell report as UTF-8 CSV (with a BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(_report_row(i) for i in issues)
    return out.getvalue().encode("utf-8-sig")


def _form_sheet(book: Workbook, form: FormDefinition, period: str) -> None:
    ws = book.create_sheet(FORM_SHEET, 0)
    ws.append(["form", form.code, form.name_zh])
    ws.append(["version", form.version, form.name_en])
    ws.append(["period", period, "YYYY-MM" if form.period_kind == "monthly" else "YYYY-Qn"])


def _header(book: Workbook, form: FormDefinition, table: Table) -> None:
    ws = book.create_sheet(table.code)
    labels: list[tuple[str, str, str, str | None]]
    labels = [(k.code, k.zh, k.en, k.code_list) for k in table.keys]
    labels += [(c.code, c.zh, c.en, c.code_list) for c in table.columns]
    ws.append([code for code, *_ in labels])
    for cell, (_code, zh, en, code_list) in zip(ws[1], labels, strict=True):
        cell.font = Font(bold=True)
        cell.comment = Comment(f"{zh}\n{en}", "crossfin")
        if code_list in form.code_lists:
            choices = ",".join(c.code for c in form.code_lists[code_list].codes)
            check = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
            ws.add_data_validation(check)
            check.add(f"{cell.column_letter}2:{cell.column_letter}{LISTED_ROWS + 1}")
    ws.freeze_panes = "A2"


def _codes_sheet(book: Workbook, form: FormDefinition) -> None:
    """The form's own code lists with their labels (ISO lists are the standards' own)."""
    ws = book.create_sheet(CODES_SHEET)
    ws.append(["list", "code", "zh", "en"])
    for name, codes in form.code_lists.items():
        for c in codes.codes:
            ws.append([name, c.code, c.zh, c.en])


def _book(form: FormDefinition, period: str) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    _form_sheet(book, form, period)
    for table in form.tables:
        _header(book, form, table)
    _codes_sheet(book, form)
    return book


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template_xlsx(form: FormDefinition, period: str = "") -> bytes:
    """An empty workbook to fill: the FORM sheet and one headed sheet per table."""
    return _saved(_book(form, period))


def cell_value(table: Table, row: Row, name: str) -> Cell | Decimal:
    """How a content cell is written to a sheet: amounts in major units of the row's currency."""
    value = row.get(name)
    column = table.column(name)
    ccy = row.get(table.currency_key or "")
    amount = column is not None and column.type == "amount" and isinstance(value, int)
    if amount and isinstance(value, int) and isinstance(ccy, str) and std.is_currency(ccy):
        return Decimal(format_amount(value, ccy))
    return value


def write_report_xlsx(form: FormDefinition, content: Content, issues: list[Issue]) -> bytes:
    """The filing as uploaded, its broken cells filled and commented, and an ISSUES sheet."""
    book = _book(form, content.period)
    headers: dict[str, list[str]] = {}
    for table in form.tables:
        ws = book[table.code]
        # Read once: a sheet's header row costs a scan of every cell written so far.
        headers[table.code] = names = [str(c.value) for c in ws[1]]
        for line, row in enumerate(content.tables.get(table.code, []), start=2):
            for col, name in enumerate(names, start=1):
                _put(ws, line, col, cell_value(table, row, name))
    for n, issue in enumerate(issues):
        if issue.table in headers and issue.index is not None:
            _mark(book[issue.table], headers[issue.table], issue, comment=n < MAX_COMMENTS)
    listing = book.create_sheet(ISSUES_SHEET, 0)
    listing.append(list(REPORT_COLUMNS))
    for line, issue in enumerate(issues, start=2):
        for col, text in enumerate(_report_row(issue), start=1):
            _put(listing, line, col, text)
    return _saved(book)


def _put(ws: Any, line: int, col: int, value: Cell | Decimal) -> None:
    """Write one cell; text is always text (openpyxl would make `=...` a formula)."""
    cell = ws.cell(row=line, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def _mark(ws: Any, names: list[str], issue: Issue, comment: bool) -> None:
    """Fill the issue's cell (or its whole row, for a row issue) and comment on its first.

    An issue without a row in the filing (a missing summary row) is only in ISSUES.
    """
    assert issue.index is not None
    if issue.column is None:
        columns = list(range(1, len(names) + 1))
    else:
        columns = [names.index(issue.column) + 1] if issue.column in names else []
    text = f"{issue.rule}: {issue.message_zh}\n{issue.message_en}"
    if issue.expected is not None or issue.found is not None:
        text += f"\nexpected {issue.expected}, found {issue.found}"
    for col in columns:
        ws.cell(row=issue.index + 2, column=col).fill = FILLS[issue.severity]
    if comment and columns:
        cell = ws.cell(row=issue.index + 2, column=columns[0])
        old = cell.comment
        cell.comment = Comment(text if old is None else f"{old.text}\n{text}", "crossfin")
