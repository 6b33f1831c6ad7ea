"""Warehouse stock movement: goods in or out under a warehouse receipt, submitted by the
warehouse (a logistics source, as the receipt itself).

Why a kind of its own rather than new versions of the receipt: a version replaces what the
receipt says (its quantity, its valuation: a revaluation is a version), while a movement
is an event with its own number, date and signature, and many may happen between two
versions. Each movement is published, signed and found by the receipt number it names
(`ref_fields`), so the receipt's history of stock is the list of its movements, and the
receipt's versions stay the warehouse's statements of what it holds and what it is worth.

A movement carries no value and backs no financing (multi-use, value 0).
"""

from __future__ import annotations

from typing import Literal

from crossfin.documents.kinds.base import KindModel, KindSpec
from crossfin.documents.kinds.fields import DocNumber, IsoDate, Quantity, Text, Uscc
from crossfin.parties.models import OrgKind


class WarehouseMovement(KindModel):
    movement_no: DocNumber
    receipt_no: DocNumber
    owner_uscc: Uscc
    direction: Literal["in", "out"]
    quantity: Quantity
    unit: Text
    movement_date: IsoDate
    note: Text | None = None


SPEC = KindSpec(
    name="warehouse_movement",
    source=OrgKind.LOGISTICS,
    model=WarehouseMovement,
    key_field="movement_no",
    owner_field="owner_uscc",
    single_use=False,
    amounts={},
    value_fields=(),
    value_currency="",
    description="Warehouse stock movement in or out under a receipt (no value)",
    ref_fields=("receipt_no",),
)
