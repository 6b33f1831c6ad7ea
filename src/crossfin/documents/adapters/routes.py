"""HTTP route of the adapters: what a DCSA message maps to, for its source to check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from crossfin.core.http.deps import raw_body
from crossfin.documents.adapters.convert import convert_dcsa
from crossfin.documents.ingest.sources import require_source
from crossfin.parties.http import CallerDep

router = APIRouter(prefix="/v1", tags=["documents: ingestion"])
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "example": {"transportDocumentReference": "HHL71800000", "...": "..."},
            }
        },
    }
}


@router.post(
    "/dcsa/records",
    summary="The records a DCSA message carries (sources): recognised, unwrapped, checked",
    openapi_extra=_BODY,
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "format": "dcsa-pint-3/envelope",
                        "kind": "bill_of_lading",
                        "records": [{"bl_no": "HHL71800000", "...": "..."}],
                    }
                }
            }
        },
        422: {"description": "`/validation` naming `format`, the DCSA field, or `records[i].x`"},
    },
)
def dcsa_records(
    body: Annotated[bytes, Depends(raw_body)],
    caller: CallerDep,
    kind: Annotated[str, Query(pattern=r"^(bill_of_lading|transport_event)$")],
    party_uscc: Annotated[str | None, Query(max_length=18)] = None,
) -> dict[str, Any]:
    require_source(caller)
    found = convert_dcsa(body, kind, party_uscc)
    return {"format": found.format, "kind": found.kind, "records": found.records}
