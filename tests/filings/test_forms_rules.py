"""Every rule proved on a crafted filing that breaks exactly one cell.

Each case starts from a consistent filing (support.stats_forms), changes what it means to
break, and asserts that the report names exactly that cell, by that rule, and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crossfin.filings.forms import Issue, load_form, validate
from support.stats_forms import MONTHLY_ROWS, monthly, next_month, quarterly, summary

MONTHLY = load_form("EFAL-M")
QUARTERLY = load_form("EFAL-Q")
Content = dict[str, Any]


def cells(issues: list[Issue]) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(i.table, i.index, i.column, i.rule) for i in issues]


def resum(content: Content) -> Content:
    content["tables"]["S1"] = summary(content["tables"]["A1"])
    return content


def test_consistent_filings_have_no_issue() -> None:
    assert validate(MONTHLY, monthly(), None).issues == []
    assert validate(QUARTERLY, quarterly(), None).issues == []
    first = monthly()
    assert validate(MONTHLY, next_month(first, "2026-12"), first).issues == []


def _set(table: str, index: int, column: str, value: Any) -> Callable[[Content], Content]:
    def change(content: Content) -> Content:
        content["tables"][table][index][column] = value
        return content

    return change


def _drop(table: str, index: int, column: str) -> Callable[[Content], Content]:
    def change(content: Content) -> Content:
        del content["tables"][table][index][column]
        return content

    return change


def _negative_opening(content: Content) -> Content:
    row = content["tables"]["A1"][1]
    row["OPN"], row["TRN"] = -100, row["CLS"] + 100  # closing unchanged and positive
    return resum(content)


def _other_change(content: Content) -> Content:
    row = content["tables"]["A1"][4]
    row["OTH"], row["CLS"] = 750_00, row["CLS"] + 750_00
    return resum(content)


def _duplicate(content: Content) -> Content:
    content["tables"]["A1"].append(dict(content["tables"]["A1"][3]))
    return resum(content)


MONTHLY_CASES = [
    ("required", _drop("A1", 2, "TRN"), ("A1", 2, "TRN", "M-A1-REQ"), "error"),
    ("required summary", _set("S1", 0, "OPN", None), ("S1", 0, "OPN", "M-S1-REQ"), "error"),
    ("type of amount", _set("A1", 1, "PRC", "12.50"), ("A1", 1, "PRC", "M-A1-TYPE"), "error"),
    ("type of text", _set("A1", 0, "NOTE", 7), ("A1", 0, "NOTE", "M-A1-TYPE"), "error"),
    ("text too long", _set("A1", 0, "NOTE", "x" * 501), ("A1", 0, "NOTE", "M-A1-TYPE"), "error"),
    ("unknown column", _set("A1", 3, "FEE", 10), ("A1", 3, "FEE", "M-A1-TYPE"), "error"),
    ("empty key", _set("A1", 3, "CTRY", ""), ("A1", 3, "CTRY", "M-A1-TYPE"), "error"),
    ("no such country", _set("A1", 0, "CTRY", "XX"), ("A1", 0, "CTRY", "M-A1-CODE"), "error"),
    ("lower-case country", _set("A1", 5, "CTRY", "gb"), ("A1", 5, "CTRY", "M-A1-CODE"), "error"),
    ("duplicate row", _duplicate, ("A1", 9, None, "M-A1-UNIQ"), "error"),
    ("negative position", _negative_opening, ("A1", 1, "OPN", "M-A1-POS"), "error"),
    ("other changes", _other_change, ("A1", 4, "OTH", "M-A1-OTH"), "warning"),
    ("summary total", _set("S1", 2, "TRN", 150_000_01), ("S1", 2, "TRN", "M-S1-TOT-A1"), "error"),
]


@pytest.mark.parametrize(
    ("change", "cell", "severity"),
    [case[1:] for case in MONTHLY_CASES],
    ids=[case[0] for case in MONTHLY_CASES],
)
def test_one_broken_cell_is_the_only_issue(
    change: Callable[[Content], Content], cell: tuple[str, int, str | None, str], severity: str
) -> None:
    report = validate(MONTHLY, change(monthly()), None)
    assert cells(report.issues) == [cell]
    assert report.issues[0].severity == severity
    assert report.accepted == (severity == "warning")
    rule = next(r for r in MONTHLY.rules if r.id == cell[3])
    assert (report.issues[0].message_en, report.issues[0].message_zh) == (
        rule.message_en,
        rule.message_zh,
    )


def test_the_issue_names_the_row_by_its_codes() -> None:
    report = validate(MONTHLY, _set("A1", 2, "CTRY", "ZZ")(monthly()), None)
    (issue,) = report.errors
    assert issue.row == {"INSTR": "A01", "CTRY": "ZZ", "CCY": "HKD"}
    assert issue.where() == "A1[INSTR=A01,CTRY=ZZ,CCY=HKD].CTRY"
    assert (issue.expected, issue.found) == ("a code of iso3166-1", "ZZ")


def test_a_currency_that_does_not_exist_is_named_in_each_table_holding_it() -> None:
    content = monthly()
    content["tables"]["A1"][3]["CCY"] = "ABC"  # the only A02 row: its summary row moves too
    report = validate(MONTHLY, resum(content), None)
    assert cells(report.issues) == [("A1", 3, "CCY", "M-A1-CODE"), ("S1", 2, "CCY", "M-S1-CODE")]


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


QUARTERLY_CASES = [
    ("sector", _set("D1", 1, "SECT", "BANK"), ("D1", 1, "SECT", "Q-D1-CODE")),
    ("maturity", _set("D1", 2, "OMAT", "MT"), ("D1", 2, "OMAT", "Q-D1-CODE")),
    ("residual", _set("D2", 0, "RMAT", "R9"), ("D2", 0, "RMAT", "Q-D2-CODE")),
    ("count type", _set("D1", 0, "NCP", "three"), ("D1", 0, "NCP", "Q-D1-TYPE")),
    ("count range", _set("D1", 0, "NCP", -1), ("D1", 0, "NCP", "Q-D1-NCP")),
    ("D2 required", _drop("D2", 3, "CLS"), ("D2", 3, "CLS", "Q-D2-REQ")),
    ("D2 negative", _set("D2", 0, "CLS", -1), ("S1", 0, "CLS", "Q-S1-TOT-D2")),
]


@pytest.mark.parametrize(
    ("change", "cell"), [c[1:] for c in QUARTERLY_CASES], ids=[c[0] for c in QUARTERLY_CASES]
)
def test_quarterly_one_broken_cell(
    change: Callable[[Content], Content], cell: tuple[Any, ...]
) -> None:
    report = validate(QUARTERLY, change(quarterly()), None)
    expected = [cell]
    if cell[3] == "Q-S1-TOT-D2":  # a negative residual-maturity cell breaks its range too
        expected = [("D2", 0, "CLS", "Q-D2-POS"), cell]
    assert cells(report.issues) == expected


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
