"""Overseas customs declaration: an export or import declaration lodged with a foreign
customs authority, submitted by an overseas customs data source. Single use (P4 endorses it).

The fields follow the WCO Data Model 3.6 (as the UK's CDS profile implements it; the WCO
numbers in brackets): the declaration's number, its MRN or the trader's reference [DE 2/5],
the declaring country [ResponsibleCountryCode], its type export/import [DE 1/1], exporter and
importer [DE 3/1-3/2, 3/15-3/16], the transport document [DE 2/1, type N705 for a B/L], the
vessel of the active means of transport [DE 7/14, IMO number or name], voyage, ports of
loading and discharge [DE 5/23, 5/8 as UN/LOCODE], containers [DE 7/10], the goods
description and commodity code [DE 6/8, 6/14], the quantity in its unit [DE 6/2] and gross
mass in kg [DE 6/5], the invoice amount and currency [DE 4/11, 4/10] and the acceptance date.

The owner is the platform's enterprise whose offshore trade it is (`enterprise_uscc`): in
an offshore (离岸转手) trade neither exporter nor importer need be Chinese, so the source
names, with the declaration, the enterprise that buys and resells the goods. The key is the
declaration number as the foreign authority gives it (an MRN carries its country).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    AmountText,
    Container,
    Country,
    CurrencyCode,
    DocNumber,
    HsCode,
    Imo,
    IsoDate,
    Locode,
    Quantity,
    Text,
    UnitCode,
    Uscc,
)
from crossfin.parties.models import OrgKind


class OverseasCustomsDeclaration(KindModel):
    declaration_no: DocNumber
    declaring_country: Country
    declaration_type: Literal["export", "import"]
    enterprise_uscc: Uscc
    exporter_name: Text
    exporter_country: Country
    importer_name: Text
    importer_country: Country
    transport_document_no: DocNumber
    vessel: Text | None = None
    vessel_imo: Imo | None = None
    voyage: DocNumber | None = None
    port_of_loading: Locode
    port_of_discharge: Locode
    containers: list[Container] = Field(default_factory=list)
    goods_description: Text
    hs_code: HsCode
    quantity: Quantity
    quantity_unit: UnitCode
    gross_weight_kg: Quantity
    invoice_value: AmountText
    currency: CurrencyCode
    acceptance_date: IsoDate


def _vessel(content: Content) -> list[FieldError]:
    """The means of transport is identified by its name, its IMO number or both."""
    if "vessel" not in content and "vessel_imo" not in content:
        return [FieldError("vessel", "required when vessel_imo is not given")]
    return []


def _declaring_side(content: Content) -> list[FieldError]:
    """An export is declared in the exporter's country, an import in the importer's."""
    side = "exporter" if content["declaration_type"] == "export" else "importer"
    if content[f"{side}_country"] != content["declaring_country"]:
        return [
            FieldError(
                f"{side}_country",
                f"an {content['declaration_type']} is declared in the {side}'s country "
                f"({content['declaring_country']})",
            )
        ]
    return []


def _ports_and_containers(content: Content) -> list[FieldError]:
    errors = []
    if content["port_of_loading"] == content["port_of_discharge"]:
        errors.append(FieldError("port_of_discharge", "is the same as port_of_loading"))
    seen: set[str] = set()
    for i, number in enumerate(content["containers"]):
        if number in seen:
            errors.append(FieldError(f"containers[{i}]", "is listed twice"))
        seen.add(number)
    return errors


def _positive(content: Content) -> list[FieldError]:
    if content["invoice_value"].strip("0.") == "":
        return [FieldError("invoice_value", "must be greater than zero")]
    return []


SPEC = KindSpec(
    name="overseas_customs_declaration",
    source=OrgKind.OVERSEAS_CUSTOMS,
    model=OverseasCustomsDeclaration,
    key_field="declaration_no",
    owner_field="enterprise_uscc",
    single_use=True,
    amounts={"invoice_value": "currency"},
    value_fields=("invoice_value",),
    value_currency="currency",
    checks=(_vessel, _declaring_side, _ports_and_containers, _positive),
    description="Declaration lodged with a foreign customs authority (single use: P4)",
)
