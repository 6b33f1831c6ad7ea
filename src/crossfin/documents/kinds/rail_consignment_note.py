"""Rail consignment note (CIM/SMGS waybill) of the China-Europe Railway Express,
submitted by a rail operator. Single use: it plays the bill of lading's role in F6.

A rail operator is a `logistics` source, like a carrier: the registry's sources are kinds
of organization, and a rail operator publishes, signs and amends exactly as a carrier
does. The fields are those of the CIM/SMGS common consignment note: its number (the key),
the consignor (whose USCC owns it) and consignee, the departure and destination stations
with their countries, the border crossing (gauge change, e.g. Alashankou/Dostyk), the
wagons or containers, the goods, gross weight and packages, a declared value when there is
one, and the dates the railway accepted and dispatched the consignment.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    AmountText,
    Container,
    Country,
    CurrencyCode,
    DocNumber,
    IsoDate,
    Quantity,
    Text,
    Uscc,
)
from crossfin.parties.models import OrgKind

Packages = Annotated[int, Field(gt=0, le=10_000_000)]


class RailConsignmentNote(KindModel):
    consignment_no: DocNumber
    consignor_uscc: Uscc
    consignee: Text
    departure_station: Text
    departure_country: Country
    destination_station: Text
    destination_country: Country
    border_crossing: Text
    wagons: list[DocNumber] = Field(default_factory=list)
    containers: list[Container] = Field(default_factory=list)
    goods: Text
    gross_weight_kg: Quantity
    packages: Packages
    value: AmountText | None = None
    currency: CurrencyCode | None = None
    acceptance_date: IsoDate
    dispatch_date: IsoDate | None = None


def _carriage(content: Content) -> list[FieldError]:
    """Goods travel in wagons or containers: a note names at least one."""
    if not content["wagons"] and not content["containers"]:
        return [FieldError("containers", "name at least one wagon or container")]
    return []


def _route(content: Content) -> list[FieldError]:
    same = (content["departure_station"], content["departure_country"]) == (
        content["destination_station"],
        content["destination_country"],
    )
    return [FieldError("destination_station", "is the departure station")] if same else []


def _dates(content: Content) -> list[FieldError]:
    dispatched = content.get("dispatch_date")
    if dispatched is not None and dispatched < content["acceptance_date"]:
        return [FieldError("dispatch_date", "is before acceptance_date")]
    return []


def _value_pair(content: Content) -> list[FieldError]:
    if "currency" in content and "value" not in content:
        return [FieldError("value", "required when currency is given")]
    if "value" in content and "currency" not in content:
        return [FieldError("currency", "required when value is given")]
    return []


SPEC = KindSpec(
    name="rail_consignment_note",
    source=OrgKind.LOGISTICS,
    model=RailConsignmentNote,
    key_field="consignment_no",
    owner_field="consignor_uscc",
    single_use=True,
    amounts={"value": "currency"},
    value_fields=("value",),
    value_currency="currency",
    checks=(_carriage, _route, _dates, _value_pair),
    description="Rail consignment note, CIM/SMGS (single use)",
)
