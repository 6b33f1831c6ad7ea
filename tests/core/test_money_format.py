"""format_amount's integer path writes exactly what formatting a Decimal writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossfin.core.money import currency_exponent, format_amount, parse_amount

CURRENCIES = ["JPY", "USD", "CNY", "BHD", "CLF"]  # exponents 0, 2, 2, 3, 4


def reference(minor: int, currency: str) -> str:
    exponent = currency_exponent(currency)
    return format(Decimal(minor).scaleb(-exponent), f".{exponent}f")


# Decimal's default context keeps 28 digits, so beyond them the reference rounds and the
# integer path stays exact; amounts are 64-bit integers in the database (19 digits).
@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(st.integers(-(10**27), 10**27), st.integers(-100_000, 100_000)),
    st.sampled_from(CURRENCIES),
)
def test_same_text_as_decimal(minor: int, currency: str) -> None:
    assert format_amount(minor, currency) == reference(minor, currency)


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (0, "USD", "0.00"),
        (5, "USD", "0.05"),
        (-5, "USD", "-0.05"),
        (872_000, "CNY", "8720.00"),
        (1200, "JPY", "1200"),
        (-1, "BHD", "-0.001"),
        (10**20, "USD", "1000000000000000000.00"),
    ],
)
def test_known_texts_and_round_trip(minor: int, currency: str, text: str) -> None:
    assert format_amount(minor, currency) == text
    if minor >= 0:
        assert parse_amount(text, currency) == minor


def test_a_bool_goes_the_general_way() -> None:
    assert format_amount(True, "USD") == "0.01"
