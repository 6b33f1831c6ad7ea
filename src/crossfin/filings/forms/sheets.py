"""Uploads in, reports out: `read_upload` reads a CSV or XLSX filing into content.

XLSX: one sheet per table, named by the table code, its first row the key and column
codes, then one row per content row; a sheet `FORM` holds the form code (B1), version
(B2) and period (B3). CSV: one file, a `table` and a `period` column, then the key and
column codes of every table (cells a table lacks left blank). Cells that cannot be read
are parse issues naming the cell; the file itself being unreadable is ValidationFailed.
Bounded: at most MAX_ROWS rows; an XLSX zip at most MAX_UNPACKED bytes unpacked.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, Literal

from openpyxl import load_workbook

from crossfin.core.errors import invalid
from crossfin.filings.forms.cells import (
    SHEET_FORM,
    SHEET_PERIOD,
    SHEET_TABLE,
    Raw,
    RowReader,
    sheet_issue,
    text_of,
)
from crossfin.filings.forms.content import Content, Row
from crossfin.filings.forms.definition import FormDefinition
from crossfin.filings.forms.issues import Issue
from crossfin.filings.forms.workbooks import (
    CODES_SHEET,
    FORM_SHEET,
    ISSUES_SHEET,
    write_report_csv,
    write_report_xlsx,
    write_template_xlsx,
)

__all__ = ["read_upload", "write_report_csv", "write_report_xlsx", "write_template_xlsx"]

MAX_ROWS = 200_000
MAX_UNPACKED = 256 * 1024 * 1024
MAX_RATIO = 100  # unpacked over packed: more is a zip bomb, not a spreadsheet
MAX_ENTRIES = 1000
MAX_COLUMNS = 64  # wider than any table: cells past it are not read
PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]
Source = Iterator[tuple[str, dict[str, Raw]]]


def read_upload(
    form: FormDefinition,
    data: bytes,
    fmt: Literal["csv", "xlsx"],
    progress: Progress | None = None,
) -> tuple[Content, list[Issue]]:
    """Read an upload into content plus its parse issues; `progress(done, total)` as it goes."""
    if fmt == "csv":
        total, period, source, issues = _csv(data)
    elif fmt == "xlsx":
        total, period, source, issues = _xlsx(form, data)
    else:
        raise invalid("format", "must be csv or xlsx")
    tables: dict[str, list[Row]] = {t.code: [] for t in form.tables}
    readers = {t.code: RowReader(t) for t in form.tables}
    periods: set[str] = set()
    done = 0
    for table, raw in source:
        done += 1
        if done > MAX_ROWS:
            raise invalid("file", f"at most {MAX_ROWS} rows")
        row_period = text_of(raw.pop("period", None))
        if row_period is not None:
            periods.add(row_period)
        if table not in readers:
            issues.append(sheet_issue(SHEET_TABLE, table, found=table))
            continue
        tables[table].append(readers[table].read(raw, len(tables[table])))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    if progress is not None:
        progress(done, done)
    for reader in readers.values():
        issues.extend(reader.issues)
    period = period or (periods.pop() if len(periods) == 1 else None)
    if period is None or len(periods) > 1:
        issues.append(
            sheet_issue(
                SHEET_PERIOD, None, column="period", found=", ".join(sorted(periods)) or None
            )
        )
    content = Content(form=form.code, version=form.version, period=period or "", tables=tables)
    return content, issues


def _csv(data: bytes) -> tuple[int, str | None, Source, list[Issue]]:
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except UnicodeDecodeError:
        raise invalid("file", "a CSV upload must be UTF-8") from None
    except csv.Error as exc:  # a NUL byte, a cell past the reader's own limit...
        raise invalid("file", f"not a readable CSV file ({exc})") from None
    if rows and "table" not in rows[0]:
        raise invalid("file", "the CSV needs a `table` column")

    def source() -> Source:
        for row in rows:
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                table = (row.pop("table") or "").strip()
                yield table, {k: v for k, v in row.items() if k is not None}

    return len(rows), None, source(), []


def _open_xlsx(data: bytes) -> Any:
    """The workbook (read-only), after the zip's declared sizes are checked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise invalid("file", "not a readable XLSX workbook") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if len(infos) > MAX_ENTRIES or unpacked > MAX_UNPACKED or unpacked > packed * MAX_RATIO:
        raise invalid("file", "the XLSX file unpacks too large")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds on a bad file)
        raise invalid("file", f"not a readable XLSX workbook ({type(exc).__name__})") from None


def _sheet_rows(ws: Any) -> Iterator[tuple[Raw, ...]]:
    """A sheet's rows, at most MAX_COLUMNS wide; a broken sheet is the file's error."""
    rows = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    while True:
        try:
            values = next(rows, None)
        except Exception as exc:  # noqa: BLE001  (a broken sheet, whatever openpyxl raises)
            raise invalid("file", f"not a readable XLSX sheet ({type(exc).__name__})") from None
        if values is None:
            return
        yield values


def _meta(book: Any) -> list[Raw]:
    """B1..B3 of the FORM sheet: form code, version, period (None when absent)."""
    if FORM_SHEET not in book.sheetnames:
        return [None, None, None]
    cells = [row[1] if len(row) > 1 else None for row in _sheet_rows(book[FORM_SHEET])]
    return [*cells[:3], None, None, None][:3]


def _xlsx(form: FormDefinition, data: bytes) -> tuple[int, str | None, Source, list[Issue]]:
    book = _open_xlsx(data)
    # A report workbook is an upload too: its ISSUES sheet is what the filer corrects from.
    skip = (FORM_SHEET, CODES_SHEET, ISSUES_SHEET)
    sheets = [book[name] for name in book.sheetnames if name not in skip]
    total = sum(max((ws.max_row or 1) - 1, 0) for ws in sheets)
    if total > MAX_ROWS:  # the declared dimensions, before a cell is read
        raise invalid("file", f"at most {MAX_ROWS} rows")
    code, version, period = (text_of(v) for v in _meta(book))

    def source() -> Source:
        for ws in sheets:
            rows = _sheet_rows(ws)
            header = [text_of(c) for c in next(rows, ())]
            for values in rows:
                if any(text_of(v) is not None for v in values):
                    yield ws.title, {h: v for h, v in zip(header, values, strict=False) if h}
        book.close()

    # A workbook made from another form's template says so in its FORM sheet.
    issues: list[Issue] = []
    if code not in (None, form.code) or version not in (None, str(form.version)):
        expected = f"{form.code} v{form.version}"
        issues.append(sheet_issue(SHEET_FORM, None, expected=expected, found=f"{code} v{version}"))
    return total, period, source(), issues
