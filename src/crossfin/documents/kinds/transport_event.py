"""Transport event: one DCSA Track & Trace 3.0 event from a logistics source (a carrier).

DCSA T&T has three event types: TRANSPORT (a vessel's arrival ARRI or departure DEPA at a
port call), EQUIPMENT (a container loaded LOAD, discharged DISC, gated in GTIN or out GTOT,
...) and SHIPMENT (a document's life: received, issued, ...), each ACTual, PLaNned or
ESTimated (`classifier`). The fields keep DCSA's meaning: the event's UUID (the key), when
it happened (`eventDateTime`, normalised to UTC), where (the UN/LOCODE of the event or its
transport call), the vessel (name, IMO number) and the carrier's voyage, the container
(`equipmentReference`, ISO 6346) and the documents it concerns (`relatedDocumentReferences`:
TRD transport documents, i.e. B/L numbers, and BKG bookings).

Events carry no value and are never used: they are evidence for P4's comparisons only
(multi-use, value 0). The owner is the carrier's customer on the platform (`party_uscc`):
DCSA events do not name a party, the carrier knows whose booking it is.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from crossfin.core.errors import FieldError
from crossfin.documents.kinds.base import Content, KindModel, KindSpec
from crossfin.documents.kinds.fields import (
    Container,
    DocNumber,
    Imo,
    IsoDateTime,
    Locode,
    Text,
    Uscc,
)
from crossfin.parties.models import OrgKind

# DCSA T&T 3.0 event type codes per event type.
CODES = {
    "TRANSPORT": frozenset({"ARRI", "DEPA"}),
    "EQUIPMENT": frozenset(
        {"LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD"}
    ),
    "SHIPMENT": frozenset(
        {"RECE", "DRFT", "PENA", "PENU", "PENC", "CONF", "REJE", "APPR"}
        | {"ISSU", "SURR", "SUBM", "VOID", "CANC", "UPDT", "HOLD", "RELS"}
    ),
}


def check_event_code(value: Any) -> str:
    """A DCSA event type code: four letters, upper-case (which type takes it: `_code_of_type`)."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{4}", value.strip()):
        raise ValueError("must be a DCSA event type code of 4 letters, e.g. DEPA or LOAD")
    return value.strip().upper()


class TransportEvent(KindModel):
    event_id: DocNumber
    event_type: Literal["TRANSPORT", "EQUIPMENT", "SHIPMENT"]
    classifier: Literal["ACT", "PLN", "EST"]
    event_code: Annotated[str, BeforeValidator(check_event_code)]
    event_datetime: IsoDateTime
    party_uscc: Uscc
    carrier: Text | None = None
    location: Locode | None = None
    vessel: Text | None = None
    vessel_imo: Imo | None = None
    voyage: DocNumber | None = None
    equipment: Container | None = None
    transport_document_refs: list[DocNumber] = Field(default_factory=list)
    booking_refs: list[DocNumber] = Field(default_factory=list)


def _code_of_type(content: Content) -> list[FieldError]:
    kind, code = content["event_type"], content["event_code"]
    if code not in CODES[kind]:
        return [FieldError("event_code", f"{code} is not a {kind} event code")]
    return []


def _what_it_is_about(content: Content) -> list[FieldError]:
    """A transport event is a vessel's, an equipment event a container's."""
    if content["event_type"] == "TRANSPORT" and not ({"vessel", "vessel_imo"} & content.keys()):
        return [FieldError("vessel", "a TRANSPORT event names its vessel (name or IMO)")]
    if content["event_type"] == "EQUIPMENT" and "equipment" not in content:
        return [FieldError("equipment", "an EQUIPMENT event names its container")]
    return []


SPEC = KindSpec(
    name="transport_event",
    source=OrgKind.LOGISTICS,
    model=TransportEvent,
    key_field="event_id",
    owner_field="party_uscc",
    single_use=False,
    amounts={},
    value_fields=(),
    value_currency="",
    checks=(_code_of_type, _what_it_is_about),
    description="Vessel or container event, DCSA Track & Trace (evidence, never used)",
    ref_fields=("transport_document_refs", "equipment"),
)
