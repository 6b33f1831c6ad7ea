"""Crafted filings that break chosen cells, each with exactly the cells its report must name.

A case is (name, change, previous, cells): `change` takes a consistent filing (from
support.stats_forms) and breaks it; `previous` builds the previous accepted filing, or is
None; `cells` lists (table, row index, column, rule id) in report order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from support.stats_forms import MONTHLY_ROWS, QUARTERLY_ROWS, SIX, monthly, quarterly, summary

Content = dict[str, Any]


def resum(content: Content) -> Content:
    content["tables"]["S1"] = summary(content["tables"]["A1"])
    return content


def set_cell(table: str, index: int, column: str, value: Any) -> Callable[[Content], Content]:
    def change(content: Content) -> Content:
        content["tables"][table][index][column] = value
        return content

    return change


def drop_cell(table: str, index: int, column: str) -> Callable[[Content], Content]:
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


def _duplicate_summary(content: Content) -> Content:
    content["tables"]["S1"].append(dict(content["tables"]["S1"][4]))
    return content


def _bad_currency(content: Content) -> Content:
    content["tables"]["A1"][3]["CCY"] = "ABC"  # the only A02 row: its summary row moves too
    return resum(content)


def _identity_off(content: Content) -> Content:
    content["tables"]["A1"][0]["CLS"] += 101
    content["tables"]["S1"][0]["CLS"] += 101  # the summary follows: only the identity breaks
    return content


def _month_before() -> Content:
    """Last month built every position from nothing, closing where this month opens."""
    return monthly([(*r[:3], 0, r[3], 0, 0, 0) for r in MONTHLY_ROWS], period="2026-10")


def _opening_off(content: Content) -> Content:
    row = content["tables"]["A1"][5]
    row["OPN"], row["TRN"] = row["OPN"] - 1, row["TRN"] + 1  # the identity still holds
    return resum(content)


Cell = tuple[str | None, int | None, str | None, str]
Case = tuple[str, Callable[[Content], Content], Callable[[], Content] | None, list[Cell]]

MONTHLY_CASES: list[Case] = [
    ("required", drop_cell("A1", 2, "TRN"), None, [("A1", 2, "TRN", "M-A1-REQ")]),
    ("required summary", set_cell("S1", 0, "OPN", None), None, [("S1", 0, "OPN", "M-S1-REQ")]),
    ("type of amount", set_cell("A1", 1, "PRC", "12.50"), None, [("A1", 1, "PRC", "M-A1-TYPE")]),
    ("type of text", set_cell("A1", 0, "NOTE", 7), None, [("A1", 0, "NOTE", "M-A1-TYPE")]),
    ("text too long", set_cell("A1", 0, "NOTE", "x" * 501), None, [("A1", 0, "NOTE", "M-A1-TYPE")]),
    ("unknown column", set_cell("A1", 3, "FEE", 10), None, [("A1", 3, "FEE", "M-A1-TYPE")]),
    ("empty key", set_cell("A1", 3, "CTRY", ""), None, [("A1", 3, "CTRY", "M-A1-TYPE")]),
    ("summary type", set_cell("S1", 4, "PRC", "0"), None, [("S1", 4, "PRC", "M-S1-TYPE")]),
    ("no such country", set_cell("A1", 0, "CTRY", "XX"), None, [("A1", 0, "CTRY", "M-A1-CODE")]),
    ("lower-case country", set_cell("A1", 5, "CTRY", "gb"), None, [("A1", 5, "CTRY", "M-A1-CODE")]),
    # A currency is a key of both tables: the bad code is in two cells, each named once.
    ("no such currency", _bad_currency, None,
     [("A1", 3, "CCY", "M-A1-CODE"), ("S1", 2, "CCY", "M-S1-CODE")]),
    ("duplicate row", _duplicate, None, [("A1", 9, None, "M-A1-UNIQ")]),
    ("duplicate summary", _duplicate_summary, None, [("S1", 8, None, "M-S1-UNIQ")]),
    ("negative position", _negative_opening, None, [("A1", 1, "OPN", "M-A1-POS")]),
    ("other changes", _other_change, None, [("A1", 4, "OTH", "M-A1-OTH")]),
    ("stock-flow", _identity_off, None, [("A1", 0, "CLS", "M-A1-SF")]),
    ("summary total", set_cell("S1", 2, "TRN", 150_000_01), None,
     [("S1", 2, "TRN", "M-S1-TOT-A1")]),
    ("continuity", _opening_off, _month_before, [("A1", 5, "OPN", "M-A1-CONT")]),
]  # fmt: skip


def _rows(index: int, **values: Any) -> Callable[[Content], Content]:
    """Rebuild the quarterly filing with one D1 row changed (D2 and S1 follow it)."""
    names = ("INSTR", "CTRY", "CCY", "SECT", "OMAT", *SIX[:-1])

    def change(content: Content) -> Content:
        rows = [list(r) for r in QUARTERLY_ROWS]
        for name, value in values.items():
            rows[index][names.index(name)] = value
        return quarterly([tuple(r) for r in rows])

    return change


def _quarter_before() -> Content:
    rows = [(*r[:5], 0, r[5], 0, 0, 0) for r in QUARTERLY_ROWS]
    return quarterly(rows, period="2026-Q2")


def _d1_identity_off(content: Content) -> Content:
    content["tables"]["D1"][2]["CLS"] += 101
    for table, index in (("D2", 5), ("S1", 2)):  # A03 EUR: over one year, and its summary
        content["tables"][table][index]["CLS"] += 101
    return content


def _d2_negative(content: Content) -> Content:
    d2 = content["tables"]["D2"]
    d2[0]["CLS"], d2[1]["CLS"] = -1, d2[1]["CLS"] + d2[0]["CLS"] + 1  # the sum holds
    return content


def _d1_duplicate(content: Content) -> Content:
    content["tables"]["D1"].append(dict(content["tables"]["D1"][0]))
    content["tables"]["D1"][-1] |= dict.fromkeys(SIX, 0)
    return content


def _d2_duplicate(content: Content) -> Content:
    content["tables"]["D2"].append(dict(content["tables"]["D2"][4], CLS=0))  # totals still hold
    return content


def _append(table: str, index: int) -> Callable[[Content], Content]:
    def change(content: Content) -> Content:
        content["tables"][table].append(dict(content["tables"][table][index]))
        return content

    return change


QUARTERLY_CASES: list[Case] = [
    ("D1 required", drop_cell("D1", 1, "EXR"), None, [("D1", 1, "EXR", "Q-D1-REQ")]),
    ("D1 type", set_cell("D1", 0, "NCP", "three"), None, [("D1", 0, "NCP", "Q-D1-TYPE")]),
    ("D1 sector", set_cell("D1", 1, "SECT", "BANK"), None, [("D1", 1, "SECT", "Q-D1-CODE")]),
    ("D1 maturity", set_cell("D1", 2, "OMAT", "MT"), None, [("D1", 2, "OMAT", "Q-D1-CODE")]),
    ("D1 duplicate", _d1_duplicate, None, [("D1", 5, None, "Q-D1-UNIQ")]),
    ("D1 negative", _rows(4, OPN=-5, TRN=150_000_05), None, [("D1", 4, "OPN", "Q-D1-POS")]),
    ("D1 stock-flow", _d1_identity_off, None, [("D1", 2, "CLS", "Q-D1-SF")]),
    ("D1 other", _rows(1, OTH=-1_000_00), None, [("D1", 1, "OTH", "Q-D1-OTH")]),
    ("D1 continuity", _rows(3, OPN=75_000_01, TRN=4_999_99), _quarter_before,
     [("D1", 3, "OPN", "Q-D1-CONT")]),
    ("D1 counterparties", set_cell("D1", 0, "NCP", -1), None, [("D1", 0, "NCP", "Q-D1-NCP")]),
    ("D2 required", drop_cell("D2", 3, "CLS"), None, [("D2", 3, "CLS", "Q-D2-REQ")]),
    ("D2 type", set_cell("D2", 3, "CLS", "all of it"), None, [("D2", 3, "CLS", "Q-D2-TYPE")]),
    ("D2 residual", set_cell("D2", 0, "RMAT", "R9"), None, [("D2", 0, "RMAT", "Q-D2-CODE")]),
    ("D2 duplicate", _d2_duplicate, None, [("D2", 9, None, "Q-D2-UNIQ")]),
    ("D2 negative", _d2_negative, None, [("D2", 0, "CLS", "Q-D2-POS")]),
    # A currency is a key of all three tables: the bad code is in three cells, each named once.
    ("currency", _rows(3, CCY="GBX"), None,
     [("D1", 3, "CCY", "Q-D1-CODE"), ("D2", 6, "CCY", "Q-D2-CODE"), ("S1", 3, "CCY", "Q-S1-CODE")]),
    ("S1 required", drop_cell("S1", 4, "OTH"), None, [("S1", 4, "OTH", "Q-S1-REQ")]),
    ("S1 type", set_cell("S1", 4, "OTH", "nil"), None, [("S1", 4, "OTH", "Q-S1-TYPE")]),
    ("S1 duplicate", _append("S1", 1), None, [("S1", 5, None, "Q-S1-UNIQ")]),
    ("S1 total", set_cell("S1", 1, "TRN", 50_000_01), None, [("S1", 1, "TRN", "Q-S1-TOT-D1")]),
    ("S1 maturity total", set_cell("D2", 1, "CLS", 0), None, [("S1", 0, "CLS", "Q-S1-TOT-D2")]),
]  # fmt: skip
