"""CSV and XLSX: the template filled and read back, parse errors per cell, the per-cell report."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from crossfin.core.errors import ValidationFailed
from crossfin.filings.forms import Content, load_form, sheets, validate
from crossfin.filings.forms.sheets import (
    read_upload,
    write_template_xlsx,
)
from support.stats_forms import monthly, quarterly
from support.stats_sheets import filled_csv, filled_xlsx

MONTHLY = load_form("EFAL-M")
QUARTERLY = load_form("EFAL-Q")


def test_template_has_a_form_sheet_and_one_headed_sheet_per_table() -> None:
    book = load_workbook(io.BytesIO(write_template_xlsx(QUARTERLY)))
    assert book.sheetnames == ["FORM", "D1", "D2", "S1", "CODES"]
    codes = list(book["CODES"].iter_rows(values_only=True))
    assert ("sector", "DTC", "存款性公司", "Deposit-taking corporations") in codes
    assert len(codes) == 1 + 12 + 6 + 3 + 4
    assert [c.value for c in book["FORM"]["B"]] == ["EFAL-Q", 1, None]
    header = book["D1"][1]
    assert [c.value for c in header][:6] == ["INSTR", "CTRY", "CCY", "SECT", "OMAT", "OPN"]
    assert header[0].comment.text.startswith("金融工具")
    choices = [dv.formula1 for dv in book["D1"].data_validations.dataValidation]
    assert '"A01,A02,A03,A04,A05,A09,L01,L02,L03,L04,L05,L09"' in choices


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("build", [monthly, quarterly], ids=["monthly", "quarterly"])
def test_fill_the_template_and_read_it_back(fmt: str, build: Any) -> None:
    content = build()
    form = load_form(content["form"])
    data = filled_xlsx(form, content) if fmt == "xlsx" else filled_csv(form, content)
    read, issues = read_upload(form, data, fmt)  # type: ignore[arg-type]
    assert issues == []
    assert read == Content.from_content(content)
    assert validate(form, read, None).issues == []


def _upload_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(
        [["table", "period", "INSTR", "CTRY", "CCY", "OPN", "TRN", "CLS"], *rows]
    )
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize(
    ("cell", "column", "rule", "found"),
    [
        ("12,3x", "TRN", "SHEET-NUMBER", "12,3x"),
        ("1.005", "TRN", "SHEET-DECIMALS", "1.005"),
        ("NaN", "TRN", "SHEET-NUMBER", "NaN"),
    ],
)
def test_an_unreadable_amount_is_named(cell: str, column: str, rule: str, found: str) -> None:
    data = _upload_csv(
        [
            ["A1", "2026-11", "A01", "US", "USD", "100.00", "5", "105"],
            ["A1", "2026-11", "A02", "SG", "USD", "7", cell, "7"],
        ]
    )
    content, issues = read_upload(MONTHLY, data, "csv")
    assert [(i.table, i.index, i.column, i.rule, i.found) for i in issues] == [
        ("A1", 1, column, rule, found)
    ]
    assert issues[0].row == {"INSTR": "A02", "CTRY": "SG", "CCY": "USD"}
    assert content.tables["A1"][0] == {
        "INSTR": "A01",
        "CTRY": "US",
        "CCY": "USD",
        "OPN": 10000,
        "TRN": 500,
        "CLS": 10500,
    }
    assert "TRN" not in content.tables["A1"][1]


def test_jpy_amounts_take_no_decimals() -> None:
    data = _upload_csv([["A1", "2026-11", "L02", "JP", "JPY", "1500000", "0.5", "1500000"]])
    _content, issues = read_upload(MONTHLY, data, "csv")
    assert [(i.column, i.rule, i.expected) for i in issues] == [
        ("TRN", "SHEET-DECIMALS", "at most 0 decimals")
    ]


def test_a_currency_that_does_not_exist_is_refused_naming_the_cell() -> None:
    data = _upload_csv([["A1", "2026-11", "A01", "US", "USX", "1", "2", "3"]])
    content, issues = read_upload(MONTHLY, data, "csv")
    assert [(i.table, i.index, i.column, i.rule, i.found) for i in issues] == [
        ("A1", 0, "CCY", "SHEET-CURRENCY", "USX")
    ]
    assert content.tables["A1"][0] == {"INSTR": "A01", "CTRY": "US", "CCY": "USX"}


def test_amounts_without_a_currency_are_not_read_and_the_currency_cell_says_why() -> None:
    data = _upload_csv([["A1", "2026-11", "A01", "US", "", "1", "2", "3"]])
    content, issues = read_upload(MONTHLY, data, "csv")
    assert [(i.index, i.column, i.rule, i.found) for i in issues] == [
        (0, "CCY", "SHEET-CURRENCY", None)
    ]
    assert content.tables["A1"][0] == {"INSTR": "A01", "CTRY": "US", "CCY": None}


def test_a_country_that_does_not_exist_is_refused_naming_the_cell() -> None:
    content = monthly()
    content["tables"]["A1"][4]["CTRY"] = "QQ"
    read, issues = read_upload(MONTHLY, filled_xlsx(MONTHLY, content), "xlsx")
    assert issues == []  # a well-formed code: the code list is the rules' business
    report = validate(MONTHLY, read, None)
    assert [(i.table, i.index, i.column, i.rule, i.found) for i in report.issues] == [
        ("A1", 4, "CTRY", "M-A1-CODE", "QQ")
    ]


def test_unknown_tables_columns_and_periods_are_named() -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["table", "period", "INSTR", "CTRY", "CCY", "OPN", "FEE"])
    writer.writerow(["A1", "2026-11", "A01", "US", "USD", "1", "9"])
    writer.writerow(["Z9", "2026-11", "A01", "US", "USD", "1", ""])
    writer.writerow(["A1", "2026-12", "A02", "US", "USD", "1", ""])
    _content, issues = read_upload(MONTHLY, out.getvalue().encode(), "csv")
    assert [(i.table, i.index, i.column, i.rule) for i in issues] == [
        ("Z9", None, None, "SHEET-TABLE"),
        ("A1", 0, "FEE", "SHEET-COLUMN"),
        (None, None, "period", "SHEET-PERIOD"),
    ]


def test_an_xlsx_of_another_form_is_named_and_garbage_refused() -> None:
    data = filled_xlsx(QUARTERLY, quarterly())
    _content, issues = read_upload(MONTHLY, data, "xlsx")
    assert next((i.rule, i.found) for i in issues) == ("SHEET-FORM", "EFAL-Q v1")
    with pytest.raises(ValidationFailed, match="not a readable XLSX"):
        read_upload(MONTHLY, b"PK\x03\x04 not really", "xlsx")
    with pytest.raises(ValidationFailed, match="UTF-8"):
        read_upload(MONTHLY, "table,period\nA1,2026-11\n".encode("utf-16"), "csv")
    with pytest.raises(ValidationFailed, match="table"):
        read_upload(MONTHLY, b"INSTR,CTRY\nA01,US\n", "csv")


@pytest.mark.slow
def test_a_ten_thousand_row_upload_parses_with_progress() -> None:
    countries = ["US", "HK", "SG", "GB", "DE", "JP", "FR", "AU", "CA", "KR"]
    rows = [("A02", f"{countries[n % 10]}", "USD", n * 100, 50, 0, 0, 0) for n in range(10_000)]
    content = monthly(rows)
    content["tables"]["A1"] = [
        {**r, "NOTE": f"loan {n}"} for n, r in enumerate(content["tables"]["A1"])
    ]
    data = filled_xlsx(MONTHLY, content)
    seen: list[tuple[int, int]] = []
    read, issues = read_upload(MONTHLY, data, "xlsx", progress=lambda d, t: seen.append((d, t)))
    assert issues == [] and len(read.tables["A1"]) == 10_000
    assert seen[-1] == (10_001, 10_001) and len(seen) > 10
    assert all(a[0] < b[0] for a, b in itertools.pairwise(seen))
    assert read.tables["A1"][9_999]["OPN"] == 999_900


def test_blank_rows_are_skipped_and_numbers_typed_as_integers_read() -> None:
    book = Workbook()
    ws = book.active
    ws.title = "A1"
    ws.append(["INSTR", "CTRY", "CCY", "OPN", "TRN", "PRC", "EXR", "OTH", "CLS"])
    ws.append([None] * 9)
    ws.append(["A01", "US", "USD", 12, 0.5, 0, 0, 0, 12.5])
    form = book.create_sheet("FORM")
    form.append(["form", "EFAL-M"])
    form.append(["version", 1])
    form.append(["period", "2026-11"])
    out = io.BytesIO()
    book.save(out)
    read, issues = read_upload(MONTHLY, out.getvalue(), "xlsx")
    assert issues == []
    assert read.tables["A1"] == [
        {
            "INSTR": "A01",
            "CTRY": "US",
            "CCY": "USD",
            "OPN": 1200,
            "TRN": 50,
            "PRC": 0,
            "EXR": 0,
            "OTH": 0,
            "CLS": 1250,
        }
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_upload_over_the_row_limit_is_refused(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    content = monthly()
    data = filled_xlsx(MONTHLY, content) if fmt == "xlsx" else filled_csv(MONTHLY, content)
    monkeypatch.setattr(sheets, "MAX_ROWS", 16)
    with pytest.raises(ValidationFailed, match="at most 16 rows"):
        read_upload(MONTHLY, data, fmt)  # type: ignore[arg-type]
    monkeypatch.setattr(sheets, "MAX_ROWS", 17)  # 9 detail and 8 summary rows
    assert read_upload(MONTHLY, data, fmt)[1] == []  # type: ignore[arg-type]


def _rezipped(data: bytes, name: str, body: bytes) -> bytes:
    """The workbook `data` with its entry `name` replaced by `body` (or added)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == name else src.read(info.filename))
        if name not in src.namelist():
            dst.writestr(name, body)
    return out.getvalue()


def test_a_broken_sheet_or_a_zip_bomb_is_the_files_error_not_a_crash() -> None:
    good = filled_xlsx(MONTHLY, monthly())
    broken = _rezipped(good, "xl/worksheets/sheet2.xml", b"<worksheet><sheetData><row><c")
    with pytest.raises(ValidationFailed, match="not a readable XLSX"):
        read_upload(MONTHLY, broken, "xlsx")
    bomb = _rezipped(good, "xl/media/padding.bin", b"\0" * 5_000_000)
    with pytest.raises(ValidationFailed, match="unpacks too large"):
        read_upload(MONTHLY, bomb, "xlsx")
    with pytest.raises(ValidationFailed, match="not a readable CSV"):
        read_upload(MONTHLY, b'table,period\nA1,2026-11,"' + b"x" * 200_000 + b'"\n', "csv")
