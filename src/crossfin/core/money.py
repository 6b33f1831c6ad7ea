"""Money: ISO 4217 currencies and exact amounts in minor units (never floats)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from functools import lru_cache

from iso4217 import Currency


@lru_cache(maxsize=512)
def currency_exponent(code: str) -> int:
    """Minor-unit digits of an ISO 4217 currency (USD 2, JPY 0); ValueError if unknown.

    Cached (an unknown code raises anew each time): a 10,000-row upload asks it ~90,000
    times, and each uncached answer is an enum lookup.
    """
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        raise ValueError("must be a 3-letter upper-case ISO 4217 code")
    try:
        exponent = Currency(code).exponent
    except (KeyError, ValueError):
        raise ValueError(f"{code!r} is not an ISO 4217 currency") from None
    if exponent is None:
        raise ValueError(f"{code!r} has no minor unit: not a money currency")
    return int(exponent)


def parse_amount(text: str | Decimal | int, currency: str) -> int:
    """Exact decimal text to integer minor units; refuses floats, signs, excess decimals."""
    if isinstance(text, (float, bool)):
        raise ValueError("amounts are decimal strings, never floats")
    exponent = currency_exponent(currency)
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a decimal amount") from None
    if not value.is_finite() or value < 0:
        raise ValueError("must be a finite, non-negative amount")
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} amounts have at most {exponent} decimal places")
    return int(scaled)


def format_amount(minor: int, currency: str) -> str:
    """Integer minor units to decimal text with exactly the currency's decimals."""
    exponent = currency_exponent(currency)
    if type(minor) is not int:  # a bool or an int subclass: the general path
        return format(Decimal(minor).scaleb(-exponent), f".{exponent}f")
    # Integer arithmetic writes the same text as the Decimal path, four times faster: every
    # payment and financing record formats several amounts.
    units, cents = divmod(abs(minor), 10**exponent)
    sign = "-" if minor < 0 else ""
    return f"{sign}{units}.{cents:0{exponent}d}" if exponent else f"{sign}{units}"


def convert_up(minor: int, from_ccy: str, to_ccy: str, rate: Decimal) -> int:
    """Convert minor units at `rate` (units of to_ccy per from_ccy), rounding up."""
    amount = Decimal(minor).scaleb(-currency_exponent(from_ccy)) * rate
    return int(amount.scaleb(currency_exponent(to_ccy)).to_integral_value(ROUND_CEILING))


@dataclass(frozen=True)
class Money:
    """An amount in minor units with its currency."""

    minor: int
    currency: str

    def __str__(self) -> str:
        return f"{format_amount(self.minor, self.currency)} {self.currency}"

    def as_json(self) -> dict[str, str]:
        return {"amount": format_amount(self.minor, self.currency), "currency": self.currency}
