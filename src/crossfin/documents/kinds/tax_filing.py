"""Service-trade outward payment tax filing (服务贸易等项目对外支付税务备案), from tax.

Banks check the filing serial number and its verification code; cumulative payments
never exceed the contract amount (multi-use by amount).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

from crossfin.documents.kinds.base import KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    AmountText,
    Country,
    CurrencyCode,
    DocNumber,
    IsoDate,
    Text,
    Uscc,
)
from crossfin.parties.models import OrgKind

_CODE = re.compile(r"[A-Z0-9]{4,32}")


def check_verification_code(value: Any) -> str:
    """4 to 32 letters or digits, upper-case."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = value.strip().upper()
    if not _CODE.fullmatch(text):
        raise ValueError("must be 4 to 32 letters or digits")
    return text


VerificationCode = Annotated[str, BeforeValidator(check_verification_code)]


class TaxFiling(KindModel):
    filing_no: DocNumber
    verification_code: VerificationCode
    payer_uscc: Uscc
    payee_name: Text
    payee_country: Country
    currency: CurrencyCode
    contract_amount: AmountText
    item_type: Text
    filing_date: IsoDate


SPEC = KindSpec(
    name="tax_filing",
    source=OrgKind.TAX,
    model=TaxFiling,
    key_field="filing_no",
    owner_field="payer_uscc",
    single_use=False,
    amounts={"contract_amount": "currency"},
    value_fields=("contract_amount",),
    value_currency="currency",
    description="Service-trade tax filing (multi-use up to the contract amount)",
)
