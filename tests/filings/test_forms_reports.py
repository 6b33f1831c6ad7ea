"""The per-cell report: CSV and XLSX name and mark the broken cells, and never run a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from crossfin.filings.forms import Content, load_form, validate, workbooks
from crossfin.filings.forms.sheets import read_upload, write_report_csv, write_report_xlsx
from support.stats_forms import monthly

MONTHLY = load_form("EFAL-M")


def test_report_csv_and_xlsx_name_and_highlight_the_broken_cells() -> None:
    content = monthly()
    content["tables"]["A1"][2]["CTRY"] = "XX"
    content["tables"]["S1"][1]["TRN"] += 1
    report = validate(MONTHLY, content, None)
    rows = list(csv.DictReader(io.StringIO(write_report_csv(report.issues).decode("utf-8-sig"))))
    assert [(r["table"], r["row"], r["column"], r["line"], r["rule"]) for r in rows] == [
        ("A1", "INSTR=A01;CTRY=XX;CCY=HKD", "CTRY", "4", "M-A1-CODE"),
        ("S1", "INSTR=A01;CCY=HKD", "TRN", "3", "M-S1-TOT-A1"),
    ]
    assert rows[1]["expected"] == "150000.00" and rows[1]["found"] == "150000.01"
    assert rows[0]["message_zh"] == "代码不在该栏目的代码表中。"
    data = write_report_xlsx(MONTHLY, Content.from_content(content), report.issues)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "ISSUES" and book["ISSUES"].max_row == 3
    marked = [
        (ws.title, c.coordinate)
        for ws in book.worksheets[2:]
        for line in ws.iter_rows(min_row=2)
        for c in line
        if c.fill.fill_type == "solid"
    ]
    assert marked == [("A1", "B4"), ("S1", "D3")]
    assert book.sheetnames == ["ISSUES", "FORM", "A1", "S1", "CODES"]
    assert "M-A1-CODE" in book["A1"]["B4"].comment.text
    # The report is itself a workbook of the form: corrected, it uploads again.
    book["A1"]["B4"] = "KR"
    book["S1"]["D3"] = Decimal(book["S1"]["D3"].value) - Decimal("0.01")
    out = io.BytesIO()
    book.save(out)
    fixed, issues = read_upload(MONTHLY, out.getvalue(), "xlsx")
    assert issues == [] and validate(MONTHLY, fixed, None).issues == []


def test_text_that_looks_like_a_formula_stays_text_in_both_reports() -> None:
    content = monthly()
    content["tables"]["A1"][0]["NOTE"] = '=HYPERLINK("http://evil.example","x")'
    content["tables"]["A1"][1]["CTRY"] = "=1+1"
    report = validate(MONTHLY, content, None)
    assert [(i.index, i.column) for i in report.issues] == [(1, "CTRY")]
    rows = list(csv.DictReader(io.StringIO(write_report_csv(report.issues).decode("utf-8-sig"))))
    assert rows[0]["found"] == "'=1+1" and rows[0]["row"].startswith("INSTR=A01;CTRY==1+1")
    book = load_workbook(
        io.BytesIO(write_report_xlsx(MONTHLY, Content.from_content(content), report.issues))
    )
    assert book["A1"]["J2"].data_type == "s" and book["A1"]["J2"].value.startswith("=HYPERLINK")
    assert book["A1"]["B3"].data_type == "s" and book["ISSUES"]["H2"].value == "'=1+1"
    assert rows[0]["expected"] == "a code of iso3166-1"


def test_a_row_issue_fills_the_row_and_comments_stop_at_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = monthly()
    content["tables"]["A1"].append(dict(content["tables"]["A1"][0]))  # a duplicate: row 11
    content["tables"]["A1"][1]["CTRY"] = "XX"
    content["tables"]["A1"][2]["CTRY"] = "YY"
    issues = validate(MONTHLY, content, None).issues
    monkeypatch.setattr(workbooks, "MAX_COMMENTS", 2)
    book = load_workbook(
        io.BytesIO(write_report_xlsx(MONTHLY, Content.from_content(content), issues))
    )
    ws = book["A1"]
    assert [(i.index, i.column) for i in issues[:3]] == [(1, "CTRY"), (2, "CTRY"), (9, None)]
    assert all(c.fill.fill_type == "solid" for c in ws[11])  # the duplicate row, every cell
    assert ws["B3"].comment is not None and ws["B4"].comment is not None
    assert ws["A11"].comment is None  # the third issue: past the cap, filled only
    assert book["ISSUES"].max_row == len(issues) + 1
