"""Consistent statistics filings to break one cell at a time (EFAL-M and EFAL-Q forms).

`monthly(rows)` and `quarterly(rows)` take detail rows without their closing position,
compute it by the stock-flow identity and build every summary from the detail, so a
fresh filing passes every rule; a test then changes exactly the cell it means to break.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

FLOWS = ("TRN", "PRC", "EXR", "OTH")
SIX = ("OPN", *FLOWS, "CLS")

# (instrument, country, currency, opening, transactions, price, exchange-rate, other)
MONTHLY_ROWS: list[tuple[str, str, str, int, int, int, int, int]] = [
    ("A01", "US", "USD", 1_250_000_00, 35_000_00, 0, 0, 0),
    ("A01", "HK", "USD", 480_000_00, -20_000_00, 0, 0, 0),
    ("A01", "HK", "HKD", 3_100_000_00, 150_000_00, 0, -12_500_00, 0),
    ("A02", "SG", "USD", 900_000_00, 50_000_00, 0, 0, 0),
    ("A03", "DE", "EUR", 220_000_00, 0, -3_250_00, 1_100_00, 0),
    ("A04", "GB", "GBP", 75_000_00, 5_000_00, 2_400_00, -800_00, 0),
    ("L01", "HK", "USD", 1_700_000_00, -60_000_00, 0, 0, 0),
    ("L02", "JP", "JPY", 150_000_000, 10_000_000, 0, -2_500_000, 0),
    ("L03", "LU", "USD", 500_000_00, 0, 1_500_00, 0, 0),
]


def _detail(values: tuple[Any, ...], keys: tuple[str, ...]) -> dict[str, Any]:
    row = dict(zip(keys, values[: len(keys)], strict=True))
    row |= dict(zip(("OPN", *FLOWS), values[len(keys) :], strict=True))
    row["CLS"] = row["OPN"] + sum(row[f] for f in FLOWS)
    return row


def summary(rows: list[dict[str, Any]], columns: tuple[str, ...] = SIX) -> list[dict[str, Any]]:
    """The summary by instrument and currency of detail rows, in first-seen order."""
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(columns, 0))
    for row in rows:
        for col in columns:
            sums[(row["INSTR"], row["CCY"])][col] += row[col]
    return [{"INSTR": i, "CCY": c, **cols} for (i, c), cols in sums.items()]


def monthly(rows: list[tuple[Any, ...]] | None = None, period: str = "2026-11") -> dict[str, Any]:
    detail = [_detail(r, ("INSTR", "CTRY", "CCY")) for r in (rows or MONTHLY_ROWS)]
    return {
        "form": "EFAL-M",
        "version": 1,
        "period": period,
        "tables": {"A1": detail, "S1": summary(detail)},
    }


def next_month(previous: dict[str, Any], period: str, trn: int = 1_000_00) -> dict[str, Any]:
    """A filing that continues `previous`: each opening is its closing, plus `trn` traded."""
    rows = [
        (r["INSTR"], r["CTRY"], r["CCY"], r["CLS"], trn, 0, 0, 0) for r in previous["tables"]["A1"]
    ]
    return monthly(rows, period)


# Quarterly detail adds the counterparty sector and original maturity, and a counterparty count.
QUARTERLY_ROWS: list[tuple[Any, ...]] = [
    ("A01", "US", "USD", "DTC", "ST", 1_250_000_00, 35_000_00, 0, 0, 0),
    ("A02", "SG", "USD", "NFC", "LT", 900_000_00, 50_000_00, 0, 0, 0),
    ("A03", "DE", "EUR", "GG", "LT", 220_000_00, 0, -3_250_00, 1_100_00, 0),
    ("A04", "GB", "GBP", "OFC", "NA", 75_000_00, 5_000_00, 2_400_00, -800_00, 0),
    ("L01", "HK", "HKD", "NFC", "ST", 3_100_000_00, 150_000_00, 0, -12_500_00, 0),
]


def quarterly(rows: list[tuple[Any, ...]] | None = None, period: str = "2026-Q3") -> dict[str, Any]:
    """D1 from the rows, D2 splitting each closing position 1:3 by residual maturity, S1.

    Equity (A04, L04) has no maturity: its D2 row is `NA`.
    """
    detail = [
        _detail(r, ("INSTR", "CTRY", "CCY", "SECT", "OMAT")) for r in (rows or QUARTERLY_ROWS)
    ]
    for n, row in enumerate(detail):
        row["NCP"] = n + 1
    by_maturity: list[dict[str, Any]] = []
    for s in summary(detail, ("CLS",)):
        if s["INSTR"] in ("A04", "L04"):
            by_maturity.append(
                {"INSTR": s["INSTR"], "CCY": s["CCY"], "RMAT": "NA", "CLS": s["CLS"]}
            )
            continue
        short = s["CLS"] // 4
        by_maturity.append({"INSTR": s["INSTR"], "CCY": s["CCY"], "RMAT": "R1", "CLS": short})
        by_maturity.append(
            {"INSTR": s["INSTR"], "CCY": s["CCY"], "RMAT": "R2", "CLS": s["CLS"] - short}
        )
    return {
        "form": "EFAL-Q",
        "version": 1,
        "period": period,
        "tables": {"D1": detail, "D2": by_maturity, "S1": summary(detail)},
    }


def clone(content: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(content)
