"""HTTP routes for OpenAttestation v2 documents: verify offline, import as a fingerprint."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from crossfin.core.http.deps import SettingsDep, raw_body
from crossfin.core.http.writes import read_only
from crossfin.core.secrets import platform_secret
from crossfin.documents.access.fingerprints import FingerprintKeys
from crossfin.documents.openattestation import importing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, WriterDep, WriteResult

router = APIRouter(prefix="/v1/openattestation", tags=["documents: OpenAttestation"])

# The body is read raw so that bad JSON is refused by the parser, naming `/`.
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                # Shortened: salted values are "<uuid>:<type>:<value>"; the proof may be empty.
                "example": {
                    "version": "https://schema.openattestation.com/2.0/schema.json",
                    "data": {
                        "id": "9b7a2c4e-1d3f-4a5b-8c6d-7e8f9a0b1c2d:string:INV-2026-0042",
                        "total": "3c1d5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f:number:12500.5",
                    },
                    "signature": {
                        "type": "SHA3MerkleProof",
                        "targetHash": "<64 hex>",
                        "proof": [],
                        "merkleRoot": "<64 hex>",
                    },
                },
            }
        },
        "description": "A wrapped OpenAttestation v2 document, as the issuer produced it.",
    }
}
_REFUSED: dict[int | str, dict[str, Any]] = {
    422: {"description": "`/validation` or `/openattestation-integrity` naming the element"}
}
RawBody = Annotated[bytes, Depends(raw_body)]


@router.post(
    "/verify",
    summary="Verify a wrapped OpenAttestation v2 document offline (any signed-in caller)",
    openapi_extra=_BODY,
    responses=_REFUSED,
)
@read_only  # arithmetic on the document sent: reads and records nothing (auditors may)
def verify_document(caller: CallerDep, body: RawBody) -> dict[str, Any]:
    # Nothing is read or stored: verifying is arithmetic on the document sent.
    return importing.verify_document(body).as_dict()


@router.post(
    "/import",
    summary="Verify a TradeTrust invoice and register its private fingerprint (banks)",
    openapi_extra=_BODY,
    responses=_REFUSED | {403: {"description": "`/forbidden`: only banks import"}},
)
def import_document(
    caller: CallerDep,
    body: RawBody,
    write: WriterDep,
    settings: SettingsDep,
    currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
) -> Response:
    keys = FingerprintKeys.derive(platform_secret(settings))

    def run(uow: UnitOfWork) -> WriteResult:
        return importing.import_invoice(uow, keys, caller, body, currency)

    return write(run, status=200)
