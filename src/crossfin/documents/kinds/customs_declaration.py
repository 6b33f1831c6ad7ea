"""Customs import/export declaration (报关单), submitted by customs.

Key: the 18-digit declaration number = 4-digit customs district, 4-digit year, I/E flag
(0 export, 1 import), 9-digit sequence; it has no check digit, so the checks are of
structure and plausibility. The owner is the domestic exporter (or importer for flag 1).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

from crossfin.core.clock import business_date
from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    AmountText,
    Country,
    CurrencyCode,
    DocNumber,
    IsoDate,
    Text,
    Uscc,
    check_digits,
)
from crossfin.parties.models import OrgKind

_NUMBER = re.compile(r"[0-9]{18}")
FIRST_YEAR = 2000
# China Standard Time: customs numbers its declarations by the local calendar year.


def check_declaration_no(value: Any) -> str:
    """18 digits: district (not 0000), a plausible year, flag 0 or 1, sequence (not 0)."""
    if not isinstance(value, str):
        raise ValueError("must be a string of 18 digits")
    text = value.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"must be exactly 18 digits, got {len(text)} characters")
    if text[:4] == "0000":
        raise ValueError("customs district (digits 1-4) cannot be 0000")
    year, this_year = int(text[4:8]), business_date().year
    if not FIRST_YEAR <= year <= this_year:
        raise ValueError(f"year (digits 5-8) {year} is not between {FIRST_YEAR} and {this_year}")
    if text[8] not in "01":
        raise ValueError(f"I/E flag (digit 9) must be 0 (export) or 1 (import), got {text[8]}")
    if text[9:] == "0" * 9:
        raise ValueError("sequence (digits 10-18) cannot be all zeros")
    return text


DeclarationNo = Annotated[str, BeforeValidator(check_declaration_no)]
TradeMode = Annotated[str, BeforeValidator(check_digits(4))]


class CustomsDeclaration(KindModel):
    declaration_no: DeclarationNo
    enterprise_uscc: Uscc
    buyer_name: Text
    buyer_country: Country
    currency: CurrencyCode
    total_value: AmountText
    export_date: IsoDate
    bill_no: DocNumber | None = None
    trade_mode: TradeMode


def _dates(content: Content) -> list[FieldError]:
    """The export (or import) date lies within a year of the declaration's year."""
    year = int(content["declaration_no"][4:8])
    day_year = int(content["export_date"][:4])
    if abs(day_year - year) > 1:
        return [
            FieldError("export_date", f"year {day_year} is far from the declaration year {year}")
        ]
    return []


def _positive(content: Content) -> list[FieldError]:
    if content["total_value"].strip("0.") == "":
        return [FieldError("total_value", "must be greater than zero")]
    return []


SPEC = KindSpec(
    name="customs_declaration",
    source=OrgKind.CUSTOMS,
    model=CustomsDeclaration,
    key_field="declaration_no",
    owner_field="enterprise_uscc",
    single_use=False,
    amounts={"total_value": "currency"},
    value_fields=("total_value",),
    value_currency="currency",
    checks=(_dates, _positive),
    description="Customs import/export declaration (multi-use up to its value)",
)
