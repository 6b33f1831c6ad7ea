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
from typing import Literal

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
    FORM_SHEET,
    ISSUES_SHEET,
    write_report_csv,
    write_report_xlsx,
    write_template_xlsx,
)

__all__ = ["read_upload", "write_report_csv", "write_report_xlsx", "write_template_xlsx"]

MAX_ROWS = 200_000
MAX_UNPACKED = 256 * 1024 * 1024
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
            sheet_issue(SHEET_PERIOD, None, column="period", found=", ".join(sorted(periods)))
        )
    content = Content(form=form.code, version=form.version, period=period or "", tables=tables)
    return content, issues


def _csv(data: bytes) -> tuple[int, str | None, Source, list[Issue]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("file", "a CSV upload must be UTF-8") from None
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if rows and "table" not in rows[0]:
        raise invalid("file", "the CSV needs a `table` column")

    def source() -> Source:
        for row in rows:
            if any((v or "").strip() for v in row.values() if isinstance(v, str)):
                table = (row.pop("table") or "").strip()
                yield table, {k: v for k, v in row.items() if k is not None}

    return len(rows), None, source(), []


def _open_xlsx(data: bytes):  # type: ignore[no-untyped-def]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED:
                raise invalid("file", "the XLSX file unpacks too large")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if hasattr(exc, "errors"):
            raise
        raise invalid("file", "not a readable XLSX workbook") from None


def _meta(book) -> list[Raw]:  # type: ignore[no-untyped-def]
    if FORM_SHEET not in book.sheetnames:
        return [None, None, None]
    cells = [
        row[1] if len(row) > 1 else None
        for row in book[FORM_SHEET].iter_rows(max_row=3, values_only=True)
    ]
    return [*cells, None, None, None][:3]


def _xlsx(form: FormDefinition, data: bytes) -> tuple[int, str | None, Source, list[Issue]]:
    book = _open_xlsx(data)
    # A report workbook is an upload too: its ISSUES sheet is what the filer corrects from.
    sheets = [book[name] for name in book.sheetnames if name not in (FORM_SHEET, ISSUES_SHEET)]
    total = sum(max((ws.max_row or 1) - 1, 0) for ws in sheets)
    if total > MAX_ROWS:  # the declared dimensions, before a cell is read
        raise invalid("file", f"at most {MAX_ROWS} rows")
    code, version, period = (text_of(v) for v in _meta(book))

    def source() -> Source:
        for ws in sheets:
            rows = ws.iter_rows(values_only=True)
            header = [text_of(c) for c in next(rows, ())]
            for values in rows:
                if any(text_of(v) is not None for v in values):
                    yield ws.title, {h: v for h, v in zip(header, values, strict=False) if h}
        book.close()

    # A workbook made from another form's template says so in its FORM sheet.
    issues = []
    if code not in (None, form.code) or version not in (None, str(form.version)):
        expected = f"{form.code} v{form.version}"
        issues.append(sheet_issue(SHEET_FORM, None, expected=expected, found=f"{code} v{version}"))
    return total, period, source(), issues
