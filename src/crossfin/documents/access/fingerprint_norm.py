"""Normalising a self-supplied paper's key fields into exact and near-duplicate forms.

Pure functions, no keys and no database: `fingerprints.py` hashes what these return.
The near-duplicate forms absorb the common alterations of a re-presented paper:
punctuation and leading zeros in its number, case, accents, spacing and punctuation in
names, a rounded amount and a date one day off (docs/documents-access.md explains why
each altered copy shares at least one form with its original).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from crossfin.core.money import currency_exponent, parse_amount

# Date cells: two grids of 4 days offset by 2; two dates a day apart share a cell in one.
_DATE_GRID, _DATE_OFFSET = 4, 2


@dataclass(frozen=True)
class PaperFields:
    """The key fields of a paper a bank brings itself (e.g. a commercial invoice)."""

    document_type: str
    number: str
    seller: str
    buyer: str
    amount: str
    currency: str
    issue_date: date


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def clean_amount(text: str) -> str:
    """Drop grouping marks and spaces from a decimal amount ("1,234.50" -> "1234.50")."""
    return "".join(ch for ch in text.strip() if ch not in ", _'\u00a0")


def exact_form(paper: PaperFields) -> dict[str, str]:
    """The paper as written, with only trivial formatting (spacing, width) removed.

    Requires a valid currency and amount (ValueError otherwise).
    """
    currency = paper.currency.strip().upper()
    minor = parse_amount(clean_amount(paper.amount), currency)
    return {
        "v": "1",
        "type": _squash(paper.document_type).lower(),
        "number": _squash(paper.number),
        "seller": _squash(paper.seller),
        "buyer": _squash(paper.buyer),
        "amount": str(minor),
        "currency": currency,
        "date": paper.issue_date.isoformat(),
    }


def coarse_number(number: str) -> str:
    """Letters and digits only, upper case, and no zero digits at all.

    Dropping every zero (not only leading ones) is what makes "INV-2026/000417",
    "INV2026000417" and "INV-2026-417" agree: once punctuation goes, a padded group
    can no longer be told from the group before it.
    """
    text = unicodedata.normalize("NFKC", number).upper()
    return "".join(ch for ch in text if ch.isalnum() and ch != "0")


def coarse_name(name: str) -> str:
    """Case-folded letters and digits only, accents removed (CJK characters kept)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def amount_cells(minor: int, currency: str) -> list[str]:
    """Cells of the amount on grids of 100, 1,000 and of its own and the lower decade.

    Each scale has two grids offset by half a cell, so two amounts closer than half a
    cell share a cell on one of them. Rounding to the nearest 100 or 1,000 moves an
    amount by at most half of those scales; rounding an amount in [10^m, 10^(m+1)) to two
    significant figures moves it by at most 10^(m-1)/2, within the 10^m grid, which the
    rounded amount also has (it is in decade m, or m+1 when rounded up to 10^(m+1)).
    """
    major = Decimal(minor).scaleb(-currency_exponent(currency))
    decade = max(major.adjusted(), 0) if major > 0 else 0
    scales = sorted(
        {Decimal(100), Decimal(1000), Decimal(10) ** max(decade - 1, 0), Decimal(10) ** decade}
    )
    cells = []
    for scale in scales:
        for offset, shift in (("a", Decimal(0)), ("b", scale / 2)):
            cell = ((major + shift) / scale).to_integral_value(ROUND_FLOOR)
            cells.append(f"{scale}:{offset}:{cell}")
    return cells


def date_cells(day: date) -> list[str]:
    """Two overlapping 4-day cells holding `day`."""
    ordinal = day.toordinal()
    return [f"a:{ordinal // _DATE_GRID}", f"b:{(ordinal + _DATE_OFFSET) // _DATE_GRID}"]


def near_forms(paper: PaperFields) -> list[list[str]]:
    """Every near-duplicate form of the paper (at most 16), deterministic and sorted."""
    currency = paper.currency.strip().upper()
    minor = parse_amount(clean_amount(paper.amount), currency)
    stem = [
        "near/v1",
        _squash(paper.document_type).lower(),
        coarse_number(paper.number),
        coarse_name(paper.seller),
        coarse_name(paper.buyer),
        currency,
    ]
    forms = [
        [*stem, amount, day]
        for amount in amount_cells(minor, currency)
        for day in date_cells(paper.issue_date)
    ]
    return sorted(forms)
