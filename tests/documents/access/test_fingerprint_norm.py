"""Near-duplicate forms: every listed alteration keeps a shared form, different papers don't."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crossfin.documents.access.fingerprint_norm import (
    PaperFields,
    amount_cells,
    coarse_name,
    coarse_number,
    date_cells,
    exact_form,
    near_forms,
)

ORIGINAL = PaperFields(
    document_type="commercial_invoice",
    number="INV-2026/000417",
    seller="Shenzhen Lotus Electronics Co., Ltd.",
    buyer="Hanseatic Import GmbH",
    amount="48,257.35",
    currency="USD",
    issue_date=date(2026, 3, 2),
)


def shares_a_form(a: PaperFields, b: PaperFields) -> bool:
    forms_a = {tuple(f) for f in near_forms(a)}
    return any(tuple(f) in forms_a for f in near_forms(b))


ALTERATIONS = {
    "number punctuation": {"number": "INV2026000417"},
    "number leading zeros": {"number": "INV-2026-417"},
    "number spaces and case": {"number": "inv 2026 / 417"},
    "seller case": {"seller": "SHENZHEN LOTUS ELECTRONICS CO., LTD."},
    "seller spacing": {"seller": "Shenzhen  Lotus Electronics Co.,Ltd."},
    "buyer punctuation": {"buyer": "Hanseatic-Import G.m.b.H."},
    "buyer accents": {"buyer": "Hanséatic Import GmbH"},
    "amount to the unit": {"amount": "48257"},
    "amount to 100": {"amount": "48300.00"},
    "amount to 1000": {"amount": "48000"},
    "amount to 2 significant figures": {"amount": "48000.00"},
    "amount grouping": {"amount": "48257.35"},
    "date a day later": {"issue_date": date(2026, 3, 3)},
    "date a day earlier": {"issue_date": date(2026, 3, 1)},
}


@pytest.mark.parametrize("name", sorted(ALTERATIONS))
def test_each_alteration_shares_a_near_form(name: str) -> None:
    altered = replace(ORIGINAL, **ALTERATIONS[name])
    assert shares_a_form(ORIGINAL, altered), name


def test_all_alterations_at_once_still_share_a_form() -> None:
    altered = replace(
        ORIGINAL,
        number="inv 2026 417",
        seller="SHENZHEN LOTUS ELECTRONICS",
        buyer="hanseatic import gmbh",
        amount="48000",
        issue_date=date(2026, 3, 3),
    )
    # "Co., Ltd." dropped from the seller is a different name, not an alteration we absorb.
    assert not shares_a_form(ORIGINAL, altered)
    altered = replace(altered, seller="Shenzhen Lotus Electronics Co Ltd")
    assert shares_a_form(ORIGINAL, altered)


@pytest.mark.parametrize("days", range(-1, 2))
@pytest.mark.parametrize("start", [date(2026, 1, 1) + timedelta(days=i) for i in range(8)])
def test_any_two_dates_a_day_apart_share_a_cell(start: date, days: int) -> None:
    assert set(date_cells(start)) & set(date_cells(start + timedelta(days=days)))


@pytest.mark.parametrize(
    "original,rounded",
    [
        (4_999_99, 5_000_00),
        (123_456_78, 120_000_00),
        (99_960_00, 100_000_00),
        (1_049_99, 1_050_00),
        (1_049_99, 1_000_00),
        (12_345_67, 12_000_00),
        (45_67, 46_00),
        (987_654_321_00, 990_000_000_00),
    ],
)
def test_rounded_amounts_share_a_cell(original: int, rounded: int) -> None:
    assert set(amount_cells(original, "USD")) & set(amount_cells(rounded, "USD"))


def test_different_papers_do_not_share_forms() -> None:
    for change in (
        {"number": "INV-2026-000418"},
        {"buyer": "Nordic Trading AB"},
        {"amount": "96514.70"},
        {"issue_date": date(2026, 3, 9)},
        {"currency": "EUR"},
        {"document_type": "packing_list"},
    ):
        assert not shares_a_form(ORIGINAL, replace(ORIGINAL, **change)), change


def test_exact_form_keeps_what_was_written_but_not_formatting() -> None:
    same = replace(ORIGINAL, seller="  Shenzhen Lotus  Electronics Co., Ltd. ", amount="48257.350")
    assert exact_form(same) == exact_form(ORIGINAL)
    assert exact_form(replace(ORIGINAL, number="INV2026000417")) != exact_form(ORIGINAL)


def test_coarse_forms() -> None:
    assert coarse_number("inv-00042/007") == "INV427"
    assert coarse_number("INV2026000417") == coarse_number("INV-2026-417")
    assert coarse_name("Hanséatic  Import, G.m.b.H.") == "hanseaticimportgmbh"
    assert coarse_name("深圳莲花 电子") == "深圳莲花电子"


def test_forms_are_bounded_and_deterministic() -> None:
    forms = near_forms(ORIGINAL)
    assert len(forms) <= 16
    assert forms == near_forms(replace(ORIGINAL))


@given(
    st.integers(min_value=100, max_value=10**15),
    st.sampled_from(["unit", "100", "1000", "2sig", "3sig"]),
)
def test_any_rounding_shares_a_cell(minor: int, how: str) -> None:
    major = Decimal(minor).scaleb(-2)
    if how.endswith("sig"):
        digits = int(how[0])
        quantum = Decimal(10) ** (major.adjusted() - digits + 1)
    else:
        quantum = Decimal(1 if how == "unit" else int(how))
    rounded = (major / quantum).to_integral_value(ROUND_HALF_UP) * quantum
    rounded_minor = int(rounded.scaleb(2))
    assert set(amount_cells(minor, "USD")) & set(amount_cells(rounded_minor, "USD"))
