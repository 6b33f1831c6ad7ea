"""Bill of lading, submitted by a logistics source (carrier). Single use.

A B/L need not declare a cargo value; without one it has no value (0, "") and its
balance is one use. Container numbers carry ISO 6346 check digits.
"""

from __future__ import annotations

from pydantic import Field

from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    AmountText,
    Container,
    CurrencyCode,
    DocNumber,
    IsoDate,
    Locode,
    StrictBool,
    Text,
    Uscc,
)
from crossfin.parties.models import OrgKind


class BillOfLading(KindModel):
    bl_no: DocNumber
    shipper_uscc: Uscc
    consignee: Text
    notify_party: Text | None = None
    port_of_loading: Locode
    port_of_discharge: Locode
    vessel: Text
    voyage: DocNumber
    containers: list[Container] = Field(default_factory=list)
    issue_date: IsoDate
    negotiable: StrictBool
    cargo_value: AmountText | None = None
    currency: CurrencyCode | None = None


def _value_pair(content: Content) -> list[FieldError]:
    """A cargo value needs its currency, and a currency alone means nothing."""
    has_value, has_currency = "cargo_value" in content, "currency" in content
    if has_currency and not has_value:
        return [FieldError("cargo_value", "required when currency is given")]
    return []


def _containers(content: Content) -> list[FieldError]:
    seen: set[str] = set()
    errors = []
    for i, number in enumerate(content["containers"]):
        if number in seen:
            errors.append(FieldError(f"containers[{i}]", "is listed twice"))
        seen.add(number)
    return errors


def _ports(content: Content) -> list[FieldError]:
    if content["port_of_loading"] == content["port_of_discharge"]:
        return [FieldError("port_of_discharge", "is the same as port_of_loading")]
    return []


SPEC = KindSpec(
    name="bill_of_lading",
    source=OrgKind.LOGISTICS,
    model=BillOfLading,
    key_field="bl_no",
    owner_field="shipper_uscc",
    single_use=True,
    amounts={"cargo_value": "currency"},
    value_fields=("cargo_value",),
    value_currency="currency",
    checks=(_value_pair, _containers, _ports),
    description="Bill of lading (single use)",
)
