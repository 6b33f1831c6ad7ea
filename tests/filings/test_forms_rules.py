"""Every rule proved on a crafted filing that breaks exactly one cell.

Each case (support.stats_cases) starts from a consistent filing, changes what it means to
break, and the report must name exactly that cell, by that rule, and nothing else (a bad
currency, a key of every table, is named once in each table that holds it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crossfin.filings.forms import Issue, load_form, validate
from support.stats_cases import MONTHLY_CASES, QUARTERLY_CASES, Cell, resum, set_cell
from support.stats_forms import MONTHLY_ROWS, monthly, next_month, quarterly

MONTHLY = load_form("EFAL-M")
QUARTERLY = load_form("EFAL-Q")
Content = dict[str, Any]


def cells(issues: list[Issue]) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(i.table, i.index, i.column, i.rule) for i in issues]


def test_consistent_filings_have_no_issue() -> None:
    assert validate(MONTHLY, monthly(), None).issues == []
    assert validate(QUARTERLY, quarterly(), None).issues == []
    first = monthly()
    assert validate(MONTHLY, next_month(first, "2026-12"), first).issues == []


@pytest.mark.parametrize(
    ("change", "previous", "expected"),
    [case[1:] for case in MONTHLY_CASES],
    ids=[case[0] for case in MONTHLY_CASES],
)
def test_monthly_broken_cells_are_the_only_issues(
    change: Callable[[Content], Content],
    previous: Callable[[], Content] | None,
    expected: list[Cell],
) -> None:
    before = previous() if previous is not None else None
    if before is not None:
        assert validate(MONTHLY, monthly(), before).issues == []  # it is the change that breaks
    report = validate(MONTHLY, change(monthly()), before)
    assert cells(report.issues) == expected
    for issue in report.issues:
        rule = next(r for r in MONTHLY.rules if r.id == issue.rule)
        assert issue.severity == rule.severity
        assert (issue.message_en, issue.message_zh) == (rule.message_en, rule.message_zh)
    assert report.accepted == all(i.severity == "warning" for i in report.issues)


def test_the_issue_names_the_row_by_its_codes() -> None:
    report = validate(MONTHLY, set_cell("A1", 2, "CTRY", "ZZ")(monthly()), None)
    (issue,) = report.errors
    assert issue.row == {"INSTR": "A01", "CTRY": "ZZ", "CCY": "HKD"}
    assert issue.where() == "A1[INSTR=A01,CTRY=ZZ,CCY=HKD].CTRY"
    assert (issue.expected, issue.found) == ("a code of iso3166-1", "ZZ")


def test_an_instrument_outside_the_list_is_refused() -> None:
    content = monthly()
    content["tables"]["A1"][8]["INSTR"] = "L99"
    report = validate(MONTHLY, resum(content), None)
    assert cells(report.issues) == [
        ("A1", 8, "INSTR", "M-A1-CODE"),
        ("S1", 7, "INSTR", "M-S1-CODE"),
    ]


@pytest.mark.parametrize(
    ("off", "broken"), [(100, False), (-100, False), (101, True), (-101, True)]
)
def test_stock_flow_tolerance_edge(off: int, broken: bool) -> None:
    """Tolerance 100 minor units: 1.00 off is accepted, 1.01 off is not."""
    content = monthly()
    content["tables"]["A1"][0]["CLS"] += off
    content["tables"]["S1"][0]["CLS"] += off  # the summary follows: only the identity breaks
    report = validate(MONTHLY, content, None)
    if not broken:
        assert report.issues == []
        return
    (issue,) = report.issues
    assert cells([issue]) == [("A1", 0, "CLS", "M-A1-SF")]
    assert issue.expected == "1285000.00"
    assert issue.found == f"{(1_285_000_00 + off) / 100:.2f}"


def test_stock_flow_formats_in_the_currency_minor_unit() -> None:
    content = monthly()
    content["tables"]["A1"][7]["CLS"] += 101  # JPY has no decimals
    content["tables"]["S1"][6]["CLS"] += 101
    (issue,) = validate(MONTHLY, content, None).issues
    assert (issue.table, issue.index, issue.expected, issue.found) == (
        "A1",
        7,
        "157500000",
        "157500101",
    )


def test_summary_row_missing_names_each_nonzero_total() -> None:
    content = monthly()
    del content["tables"]["S1"][1]  # A01 HKD: opening, transactions, FX changes, closing
    report = validate(MONTHLY, content, None)
    assert cells(report.issues) == [
        ("S1", None, col, "M-S1-TOT-A1") for col in ("OPN", "TRN", "EXR", "CLS")
    ]
    assert report.issues[0].row == {"INSTR": "A01", "CCY": "HKD"}
    assert (report.issues[0].expected, report.issues[0].found) == ("3100000.00", None)


def test_summary_row_without_detail_expects_zero() -> None:
    content = monthly()
    content["tables"]["S1"].append(dict.fromkeys(("OPN", "TRN", "PRC", "EXR", "OTH"), 0))
    content["tables"]["S1"][-1] |= {"INSTR": "A05", "CCY": "USD", "CLS": 5}
    report = validate(MONTHLY, content, None)
    assert cells(report.issues) == [("S1", 8, "CLS", "M-S1-TOT-A1")]
    assert (report.issues[0].expected, report.issues[0].found) == ("0.00", "0.05")


def test_period_continuity_names_the_opening_that_differs() -> None:
    first = monthly(period="2026-10")
    second = next_month(first, "2026-11")
    row = second["tables"]["A1"][5]
    row["OPN"] -= 1  # transactions take up the cent: the identity and the totals still hold
    row["TRN"] += 1
    report = validate(MONTHLY, resum(second), first)
    assert cells(report.issues) == [("A1", 5, "OPN", "M-A1-CONT")]
    assert report.issues[0].expected == f"{first['tables']['A1'][5]['CLS'] / 100:.2f}"
    assert report.issues[0].found == f"{(first['tables']['A1'][5]['CLS'] - 1) / 100:.2f}"


def test_continuity_a_new_position_opens_at_zero_and_a_dropped_one_is_named() -> None:
    first = monthly(period="2026-10")
    second = next_month(first, "2026-11")
    second["tables"]["A1"].append(_new := {"INSTR": "A05", "CTRY": "FR", "CCY": "EUR"})
    _new |= {"OPN": 0, "TRN": 0, "PRC": 2_000_00, "EXR": 0, "OTH": 0, "CLS": 2_000_00}
    assert validate(MONTHLY, resum(second), first).issues == []
    _new["OPN"], _new["TRN"] = 500_00, -500_00
    assert cells(validate(MONTHLY, resum(second), first).issues) == [("A1", 9, "OPN", "M-A1-CONT")]
    del second["tables"]["A1"][-1]
    dropped = second["tables"]["A1"].pop(6)  # L01 HK USD: still open last month
    report = validate(MONTHLY, resum(second), first)
    assert cells(report.issues) == [("A1", None, "OPN", "M-A1-CONT")]
    assert report.issues[0].row == {k: dropped[k] for k in ("INSTR", "CTRY", "CCY")}


def test_a_first_filing_has_no_continuity_to_break() -> None:
    content = monthly()
    # Last month built every position from nothing, closing where this month opens.
    before = monthly([(*r[:3], 0, r[3], 0, 0, 0) for r in MONTHLY_ROWS], period="2026-10")
    assert validate(MONTHLY, content, before).issues == []
    content["tables"]["A1"][0]["OPN"] += 5
    content["tables"]["A1"][0]["TRN"] -= 5
    assert validate(MONTHLY, resum(content), None).issues == []
    assert cells(validate(MONTHLY, resum(content), before).issues) == [
        ("A1", 0, "OPN", "M-A1-CONT")
    ]


def test_form_level_issues() -> None:
    content = monthly()
    content["period"] = "2026-Q4"
    content["tables"]["X9"] = []
    report = validate(MONTHLY, content, None)
    assert cells(report.issues) == [
        (None, None, None, "FORM-PERIOD"),
        ("X9", None, None, "FORM-TABLE"),
    ]
    other = quarterly()
    assert cells(validate(MONTHLY, other, None).issues) == [(None, None, None, "FORM-CODE")]
    other["form"], other["version"] = "EFAL-M", 2
    assert cells(validate(MONTHLY, other, None).issues) == [(None, None, None, "FORM-VERSION")]


@pytest.mark.parametrize(
    ("change", "previous", "expected"),
    [c[1:] for c in QUARTERLY_CASES],
    ids=[c[0] for c in QUARTERLY_CASES],
)
def test_quarterly_broken_cells_are_the_only_issues(
    change: Callable[[Content], Content],
    previous: Callable[[], Content] | None,
    expected: list[Cell],
) -> None:
    before = previous() if previous is not None else None
    if before is not None:
        assert validate(QUARTERLY, quarterly(), before).issues == []
    assert cells(validate(QUARTERLY, change(quarterly()), before).issues) == expected


def test_every_shipped_rule_is_proved_by_a_case() -> None:
    proved = {cell[3] for case in MONTHLY_CASES + QUARTERLY_CASES for cell in case[3]}
    assert proved == {rule.id for form in (MONTHLY, QUARTERLY) for rule in form.rules}


def test_quarterly_residual_maturity_must_add_up_to_the_closing_positions() -> None:
    content = quarterly()
    content["tables"]["D2"][1]["CLS"] += 1  # A01 USD over one year, one cent too many
    report = validate(QUARTERLY, content, None)
    assert cells(report.issues) == [("S1", 0, "CLS", "Q-S1-TOT-D2")]
    closing = content["tables"]["S1"][0]["CLS"]
    assert (report.issues[0].expected, report.issues[0].found) == (
        f"{(closing + 1) / 100:.2f}",
        f"{closing / 100:.2f}",
    )
