"""Which DCSA message a JSON value is, and the crossfin records it carries.

A carrier's system hands over whatever its DCSA interface produced: a transport document,
the issuance request or PINT envelope around one, a notification carrying one, a Track &
Trace event list, or, by mistake, the shipper's instructions. Mapping any of those as if it
were a transport document yields a near-empty B/L refused for fields it never had; so the
message is recognised first, by the keys its DCSA schema requires, wrappers are opened to
the transport document they carry, and a message that carries none is refused naming its
format. docs/documents.md, "DCSA messages".
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from crossfin.documents.adapters import AdapterError
from crossfin.documents.adapters.dcsa import dcsa_to_bill_of_lading
from crossfin.documents.adapters.dcsa_tnt import dcsa_to_transport_event

BILL_OF_LADING, TRANSPORT_EVENT = "bill_of_lading", "transport_event"


class DcsaFormat(StrEnum):
    TRANSPORT_DOCUMENT = "dcsa-ebl-3/transport-document"
    ISSUANCE_REQUEST = "dcsa-ebl-iss-3/issuance-request"
    PINT_ENVELOPE = "dcsa-pint-3/envelope"
    TD_NOTIFICATION = "dcsa-ebl-3/transport-document-notification"
    SI_NOTIFICATION = "dcsa-ebl-3/shipping-instructions-notification"
    SHIPPING_INSTRUCTIONS = "dcsa-ebl-3/shipping-instructions"
    TNT_EVENTS = "dcsa-tnt-3/events"


# Formats that carry no transport document, and what to send instead.
_NOT_A_DOCUMENT = {
    DcsaFormat.SHIPPING_INSTRUCTIONS: "shipping instructions are the shipper's request for a "
    "transport document, not the document: submit the transport document the carrier issues",
    DcsaFormat.SI_NOTIFICATION: "a shipping-instructions notification carries no transport "
    "document: submit the transport document the carrier issues",
}


def _is_event(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    payload, metadata = value.get("payload"), value.get("metadata")
    inner: dict[str, Any] = payload if isinstance(payload, dict) else value
    meta: dict[str, Any] = metadata if isinstance(metadata, dict) else {}
    return bool(inner.get("eventType") or meta.get("eventType") or meta.get("retractedEventID"))


def recognise(message: Any) -> DcsaFormat:
    """The DCSA format of `message`; AdapterError naming `format` for anything else."""
    if isinstance(message, list):
        if message and all(_is_event(e) for e in message):
            return DcsaFormat.TNT_EVENTS
        raise AdapterError("format", "a JSON list is read only as Track & Trace events")
    if not isinstance(message, dict):
        raise AdapterError("format", "a DCSA message is a JSON object or a list of T&T events")
    if _is_event(message):
        return DcsaFormat.TNT_EVENTS
    if "transportDocumentReference" in message:
        return DcsaFormat.TRANSPORT_DOCUMENT
    if "envelopeManifestSignedContent" in message:
        return DcsaFormat.PINT_ENVELOPE
    if "issuanceManifestSignedContent" in message or "issueTo" in message:
        return DcsaFormat.ISSUANCE_REQUEST
    if message.get("specversion") is not None and isinstance(message.get("data"), dict):
        kind = str(message.get("type") or "")
        if kind.startswith("org.dcsa.transport-document"):
            return DcsaFormat.TD_NOTIFICATION
        if kind.startswith("org.dcsa.shipping-instructions"):
            return DcsaFormat.SI_NOTIFICATION
        raise AdapterError("format", f"a CloudEvent of type {kind or '(none)'!r} is not supported")
    if "consignmentItems" in message and "documentParties" in message:
        return DcsaFormat.SHIPPING_INSTRUCTIONS
    raise AdapterError(
        "format",
        "not a supported DCSA message: expected an eBL 3.0 transport document, an issuance "
        "request, a PINT 3.0 envelope, a transport-document notification or T&T 3.0 events",
    )


def _opened(message: dict[str, Any], key: str, fmt: DcsaFormat) -> dict[str, Any]:
    inner = message.get(key)
    if not isinstance(inner, dict):
        raise AdapterError(key, f"a {fmt.value} message carries its transport document here")
    return inner


def transport_document(message: Any, fmt: DcsaFormat) -> dict[str, Any]:
    """The transport document a message of format `fmt` carries (opened from its wrapper)."""
    if fmt in _NOT_A_DOCUMENT:
        raise AdapterError("format", f"{fmt.value}: {_NOT_A_DOCUMENT[fmt]}")
    openers: dict[DcsaFormat, Callable[[dict[str, Any]], dict[str, Any]]] = {
        DcsaFormat.TRANSPORT_DOCUMENT: lambda m: m,
        DcsaFormat.ISSUANCE_REQUEST: lambda m: _opened(m, "document", fmt),
        DcsaFormat.PINT_ENVELOPE: lambda m: _opened(m, "transportDocument", fmt),
        DcsaFormat.TD_NOTIFICATION: lambda m: _opened(
            _opened(m, "data", fmt), "transportDocument", fmt
        ),
    }
    if fmt not in openers:
        raise AdapterError("format", f"{fmt.value} carries no transport document")
    return openers[fmt](message)


def records_of(
    message: Any, kind: str, *, party_uscc: str | None = None, allow_draft: bool = False
) -> list[dict[str, Any]]:
    """The `kind` records a DCSA message carries; AdapterError when it carries none of
    that kind, naming the format recognised."""
    fmt = recognise(message)
    if fmt is DcsaFormat.TNT_EVENTS:
        if kind != TRANSPORT_EVENT:
            raise AdapterError("format", f"{fmt.value} maps to {TRANSPORT_EVENT}, not {kind}")
        if not party_uscc:
            raise AdapterError("party_uscc", "T&T events do not name the carrier's customer")
        events = message if isinstance(message, list) else [message]
        return [dcsa_to_transport_event(e, party_uscc=party_uscc) for e in events]
    if kind != BILL_OF_LADING:
        raise AdapterError("format", f"{fmt.value} maps to {BILL_OF_LADING}, not {kind}")
    return [dcsa_to_bill_of_lading(transport_document(message, fmt), allow_draft=allow_draft)]
