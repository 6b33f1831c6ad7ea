"""DCSA eBL 3.0 transport document (JSON) -> a `bill_of_lading` record.

Mapping (docs/documents.md has the table): bl_no transportDocumentReference; shipper USCC
from documentParties.shipper.taxLegalReferences (type USCC, or country CN) or its
identifyingCodes (codeListName USCC); consignee documentParties.consignee.partyName
("TO ORDER" for a to-order B/L without one); first notify party; ports' UNLocationCode;
the first vessel voyage; containers from utilizedTransportEquipments; issueDate (else
shippedOnBoardDate, else receivedForShipmentDate); negotiable = isToOrder; cargo value
from declaredValue/declaredValueCurrency when present. Drafts are refused unless asked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crossfin.documents.adapters import AdapterError

REFUSED_STATUSES = ("VOIDED", "SURRENDERED")
TO_ORDER = "TO ORDER"


def _get(data: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and len(data) > step else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def _shipper_uscc(shipper: Any) -> str | None:
    for ref in _get(shipper, "taxLegalReferences") or []:
        if isinstance(ref, dict) and (ref.get("type") == "USCC" or ref.get("countryCode") == "CN"):
            return ref.get("value")
    for code in _get(shipper, "identifyingCodes") or []:
        if isinstance(code, dict) and code.get("codeListName") == "USCC":
            return code.get("partyCode")
    return None


def dcsa_to_bill_of_lading(
    document: dict[str, Any], *, allow_draft: bool = False
) -> dict[str, Any]:
    """The bill_of_lading record of a DCSA eBL 3.0 transport document."""
    if not isinstance(document, dict):
        raise AdapterError("document", "a transport document is a JSON object")
    if "transportDocumentReference" not in document and isinstance(document.get("document"), dict):
        document = document["document"]  # an issuance request wraps the document
    status = document.get("transportDocumentStatus")
    if status in REFUSED_STATUSES or (status == "DRAFT" and not allow_draft):
        raise AdapterError(
            "transportDocumentStatus", f"a {status} document is not a B/L that can be registered"
        )
    if document.get("transportDocumentTypeCode") not in (None, "BOL"):
        raise AdapterError(
            "transportDocumentTypeCode", "only bills of lading (BOL), not sea waybills"
        )
    parties = document.get("documentParties") or {}
    record: dict[str, Any] = {
        "bl_no": document.get("transportDocumentReference"),
        "shipper_uscc": _shipper_uscc(parties.get("shipper")),
        "consignee": _get(parties, "consignee", "partyName")
        or (TO_ORDER if document.get("isToOrder") else None),
        "notify_party": _get(parties, "notifyParties", 0, "partyName"),
        "port_of_loading": _get(document, "transports", "portOfLoading", "UNLocationCode"),
        "port_of_discharge": _get(document, "transports", "portOfDischarge", "UNLocationCode"),
        "vessel": _get(document, "transports", "vesselVoyages", 0, "vesselName"),
        "voyage": _get(document, "transports", "vesselVoyages", 0, "carrierExportVoyageNumber"),
        "containers": [
            e["equipment"]["equipmentReference"]
            for e in document.get("utilizedTransportEquipments") or []
            if _get(e, "equipment", "equipmentReference")
        ],
        "issue_date": document.get("issueDate")
        or document.get("shippedOnBoardDate")
        or document.get("receivedForShipmentDate"),
        "negotiable": bool(document.get("isToOrder")),
    }
    value = document.get("declaredValue")
    if value is not None:
        # JSON numbers become decimal text exactly as written in the number's shortest form.
        record["cargo_value"] = format(Decimal(str(value)), "f")
        record["currency"] = document.get("declaredValueCurrency")
    return {k: v for k, v in record.items() if v is not None}
