"""Warehouse receipt (port cloud warehouse), submitted by a logistics source. Single use."""

from __future__ import annotations

from crossfin.documents.kinds.base import KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    AmountText,
    CurrencyCode,
    DocNumber,
    IsoDate,
    Quantity,
    Text,
    Uscc,
)
from crossfin.parties.models import OrgKind


class WarehouseReceipt(KindModel):
    receipt_no: DocNumber
    owner_uscc: Uscc
    warehouse: Text
    location: Text
    goods: Text
    quantity: Quantity
    unit: Text
    valuation: AmountText
    currency: CurrencyCode
    issue_date: IsoDate


SPEC = KindSpec(
    name="warehouse_receipt",
    source=OrgKind.LOGISTICS,
    model=WarehouseReceipt,
    key_field="receipt_no",
    owner_field="owner_uscc",
    single_use=True,
    amounts={"valuation": "currency"},
    value_fields=("valuation",),
    value_currency="currency",
    description="Warehouse receipt (single use, value: the valuation)",
)
