"""DCSA Track & Trace 3.0 event (JSON) -> a `transport_event` record.

Input: one element of a GET /v3/events answer (`{"metadata": ..., "payload": ...}`) or a
bare payload. Mapping: event_id metadata.eventID (else payload.eventID); event_type
payload.eventType; classifier eventClassifierCode; event_code transportEventTypeCode,
equipmentEventTypeCode or shipmentEventTypeCode by type; event_datetime eventDateTime;
location eventLocation.UNLocationCode, else transportCall.location.UNLocationCode; vessel
transportCall.vessel.name and vesselIMONumber; voyage carrierExportVoyageNumber (else the
import one); equipment equipmentReference, else the first reference of type EQ;
transport_document_refs and booking_refs from relatedDocumentReferences of type TRD and
BKG (and a SHIPMENT event's own documentReference); carrier metadata.publisher.partyName.
A retraction (metadata.retractedEventID, no payload) is not an event and is refused. The
party (`party_uscc`) is the carrier's customer on the platform: DCSA does not carry it.
"""

from __future__ import annotations

from typing import Any

from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.dcsa import _get

_CODE_FIELD = {
    "TRANSPORT": "transportEventTypeCode",
    "EQUIPMENT": "equipmentEventTypeCode",
    "SHIPMENT": "shipmentEventTypeCode",
}


def _refs(payload: dict[str, Any], kind: str) -> list[str]:
    found: list[str] = [
        str(ref["value"])
        for ref in payload.get("relatedDocumentReferences") or []
        if isinstance(ref, dict) and ref.get("type") == kind and ref.get("value")
    ]
    if payload.get("documentTypeCode") == kind and payload.get("documentReference"):
        found.append(str(payload["documentReference"]))
    return list(dict.fromkeys(found))


def _equipment(payload: dict[str, Any]) -> str | None:
    if payload.get("equipmentReference"):
        return str(payload["equipmentReference"])
    for ref in payload.get("references") or []:
        if isinstance(ref, dict) and ref.get("type") == "EQ" and ref.get("value"):
            return str(ref["value"])
    return None


def dcsa_to_transport_event(event: dict[str, Any], *, party_uscc: str) -> dict[str, Any]:
    """The transport_event record of one DCSA T&T 3.0 event."""
    if not isinstance(event, dict):
        raise AdapterError("event", "an event is a JSON object")
    metadata: dict[str, Any] = event["metadata"] if isinstance(event.get("metadata"), dict) else {}
    payload = event.get("payload") if "metadata" in event else event
    if not isinstance(payload, dict):
        if metadata.get("retractedEventID"):
            raise AdapterError(
                "metadata.retractedEventID", "a retraction withdraws an event; it is not one"
            )
        raise AdapterError("payload", "the event has no payload")
    kind = payload.get("eventType") or metadata.get("eventType")
    call = payload.get("transportCall") or {}
    record: dict[str, Any] = {
        "event_id": metadata.get("eventID") or payload.get("eventID"),
        "event_type": kind,
        "classifier": payload.get("eventClassifierCode"),
        "event_code": payload.get(_CODE_FIELD.get(str(kind), "")),
        "event_datetime": payload.get("eventDateTime"),
        "party_uscc": party_uscc,
        "carrier": _get(metadata, "publisher", "partyName"),
        "location": _get(payload, "eventLocation", "UNLocationCode")
        or _get(call, "location", "UNLocationCode"),
        "vessel": _get(call, "vessel", "name"),
        "vessel_imo": _get(call, "vessel", "vesselIMONumber"),
        "voyage": call.get("carrierExportVoyageNumber") or call.get("carrierImportVoyageNumber"),
        "equipment": _equipment(payload),
        "transport_document_refs": _refs(payload, "TRD"),
        "booking_refs": _refs(payload, "BKG"),
    }
    if not record["event_type"]:
        raise AdapterError("payload.eventType", "required")
    return {k: v for k, v in record.items() if v is not None and v != []}
