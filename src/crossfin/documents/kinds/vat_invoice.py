"""VAT invoice (增值税发票), submitted by the tax authority.

Key: a 20-digit fully digital invoice number, or `<10 or 12 digit code>-<8 digit number>`
for the older code-and-number invoices. The owner is the buyer (who presents it to pay);
the value is amount plus tax, always in CNY.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.fields import AmountText, IsoDate, Uscc
from crossfin.parties.models import OrgKind

_DIGITAL = re.compile(r"[0-9]{20}")
_CODE_NUMBER = re.compile(r"([0-9]{10}|[0-9]{12})-[0-9]{8}")
CATEGORIES = ("goods", "service", "freight", "other")


def check_invoice_no(value: Any) -> str:
    """A 20-digit digital invoice number or `<10|12-digit code>-<8-digit number>`."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = value.strip()
    if not (_DIGITAL.fullmatch(text) or _CODE_NUMBER.fullmatch(text)):
        raise ValueError("must be 20 digits, or a 10 or 12-digit code, '-', and 8 digits")
    return text


def check_cny(value: Any) -> str:
    """VAT invoices are issued in renminbi only."""
    if not isinstance(value, str) or value.strip().upper() != "CNY":
        raise ValueError("VAT invoices are in CNY")
    return "CNY"


def check_category(value: Any) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in CATEGORIES:
        raise ValueError(f"must be one of {', '.join(CATEGORIES)}")
    return str(text)


InvoiceNo = Annotated[str, BeforeValidator(check_invoice_no)]
Cny = Annotated[Literal["CNY"], BeforeValidator(check_cny)]
Category = Annotated[str, BeforeValidator(check_category)]


class VatInvoice(KindModel):
    invoice_no: InvoiceNo
    seller_uscc: Uscc
    buyer_uscc: Uscc
    currency: Cny
    amount: AmountText
    tax_amount: AmountText
    issue_date: IsoDate
    category: Category


def _parties(content: Content) -> list[FieldError]:
    if content["seller_uscc"] == content["buyer_uscc"]:
        return [FieldError("buyer_uscc", "seller and buyer are the same enterprise")]
    return []


def _amounts(content: Content) -> list[FieldError]:
    if content["amount"].strip("0.") == "":
        return [FieldError("amount", "must be greater than zero")]
    return []


SPEC = KindSpec(
    name="vat_invoice",
    source=OrgKind.TAX,
    model=VatInvoice,
    key_field="invoice_no",
    owner_field="buyer_uscc",
    single_use=False,
    amounts={"amount": "=CNY", "tax_amount": "=CNY"},
    value_fields=("amount", "tax_amount"),
    value_currency="=CNY",
    checks=(_parties, _amounts),
    description="VAT invoice (multi-use up to amount plus tax)",
)
