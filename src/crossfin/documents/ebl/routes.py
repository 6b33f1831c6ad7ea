"""HTTP routes of eBL endorsement chains: signed steps, PINT relays, bank releases, reads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import INT32_MAX
from crossfin.core.http.deps import raw_body
from crossfin.documents.ebl import relay, usecases
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["documents: eBL chains"])
Key = Annotated[str, Field(min_length=1, max_length=64)]


_NOTE = (
    '{"action":"endorse","at":"2026-10-12T08:00:00Z","bl_no":"BDCLYTN2601222","seq":2,'
    '"to":{"uscc":"91440300MA5G2X7Q4B"},"type":"crossfin.ebl-step/v1"}\n\n'
    "\u2014 carrier-1 AbCdEf...==\n"
)


class SignedStep(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"note": _NOTE}})
    note: str = Field(
        max_length=65_536,
        description="The step body's RFC 8785 JSON and a newline, as a C2SP signed note",
    )


class Release(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {"financing_id": 12}})
    financing_id: int | None = Field(default=None, ge=1, le=INT32_MAX)


_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "`/forbidden`: not the source keeping the holder's register"},
    404: {"description": "`/not-found`: no such bill, or not yours to see"},
    409: {
        "description": "`/illegal-transition` naming `state`, `/ebl-pledged-by-financing` "
        "naming `financing_id`, `/ebl-step-out-of-order` naming `expected`"
    },
    422: {"description": "`/ebl-step-signature` or `/validation` naming the field"},
}


@router.post(
    "/ebl/steps",
    status_code=201,
    summary="Record a signed step of a negotiable B/L's chain (the holder's logistics source)",
    responses=_REFUSED,
)
def record_step(body: SignedStep, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        return usecases.record_step(uow, caller, body.note)

    return write(run)


@router.post(
    "/ebl/pint",
    status_code=201,
    summary="Relay a DCSA PINT 3.0 envelope: its checksum-linked transfer chain becomes steps",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {
                        "transportDocument": {"transportDocumentReference": "BDCLYTN2601222"},
                        "envelopeManifestSignedContent": "eyJ...",
                        "envelopeTransferChain": ["eyJ...", "eyJ..."],
                    },
                }
            },
        }
    },
    responses=_REFUSED | {422: {"description": "`/ebl-envelope-checksum` naming the entry"}},
)
def relay_envelope(
    body: Annotated[bytes, Depends(raw_body)], caller: CallerDep, write: WriterDep
) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        return relay.relay_envelope(uow, caller, body)

    return write(run)


@router.post(
    "/documents/bill_of_lading/{key}/chain/release",
    summary="The pledgee bank releases its pledge (the chain's, or its F5 financing's)",
    responses=_REFUSED,
)
def release(key: Key, body: Release, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        return usecases.release_by_bank(uow, caller, key, body.financing_id)

    return write(run, status=200)


@router.get(
    "/documents/bill_of_lading/{key}/chain",
    summary="A B/L's endorsement chain: steps, the holder and any pledge, derived from them",
    responses={404: _REFUSED[404]},
)
def chain(key: Key, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    return usecases.read_chain(uow.session, caller, key)
