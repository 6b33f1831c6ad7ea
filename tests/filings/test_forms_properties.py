"""Properties over generated filings: consistent ones pass; one cell off is named alone."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crossfin.filings.forms import load_form, validate
from support.stats_forms import monthly

MONTHLY = load_form("EFAL-M")
INSTRUMENTS = [c.code for c in MONTHLY.code_lists["instrument"].codes]
COUNTRIES = ["US", "HK", "SG", "GB", "DE", "JP", "CN", "AE", "BR", "ZA"]
CURRENCIES = ["USD", "EUR", "JPY", "HKD", "GBP", "CNY", "KWD"]

flow = st.integers(-(10**12), 10**12)
row = st.tuples(
    st.sampled_from(INSTRUMENTS),
    st.sampled_from(COUNTRIES),
    st.sampled_from(CURRENCIES),
    st.integers(0, 10**13),
    flow,
    flow,
    flow,
    st.just(0),
)


def _positive(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Unique row keys, and transactions raised so that no closing position is negative."""
    seen: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for r in rows:
        opening, trn, prc, exr = r[3:7]
        trn = max(trn, -(opening + prc + exr))
        seen.setdefault(r[:3], (*r[:3], opening, trn, prc, exr, 0))
    return list(seen.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=25), st.data())
def test_one_closing_off_by_more_than_the_tolerance_is_named_alone(
    rows: list[tuple[Any, ...]], data: st.DataObject
) -> None:
    content = monthly(_positive(rows))
    assert validate(MONTHLY, content, None).issues == []
    detail = content["tables"]["A1"]
    index = data.draw(st.integers(0, len(detail) - 1))
    off = data.draw(st.integers(101, 10**9))  # positive: the closing stays non-negative
    target = detail[index]
    target["CLS"] += off
    total = next(
        s
        for s in content["tables"]["S1"]
        if (s["INSTR"], s["CCY"]) == (target["INSTR"], target["CCY"])
    )
    total["CLS"] += off
    report = validate(MONTHLY, content, None)
    assert [(i.table, i.index, i.column, i.rule) for i in report.issues] == [
        ("A1", index, "CLS", "M-A1-SF")
    ]
