"""HTTP routes of the log under /v1/log: thin wrappers over crossfin.ledger.service."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, JsonValue
from sqlalchemy.orm import Session

from crossfin.core.db import Database
from crossfin.core.errors import NotFound
from crossfin.core.http.deps import ReplicaSession, SettingsDep, get_db
from crossfin.core.http.participant import ReplicaParticipantDep, authenticate
from crossfin.core.settings import Settings
from crossfin.ledger import service
from crossfin.ledger.checkpointer import retry_after
from crossfin.ledger.models import MAX_LEAF_INDEX

router = APIRouter(prefix="/v1/log", tags=["ledger"])

TEXT = "text/plain; charset=utf-8"
IMMUTABLE = "max-age=31536000, immutable"
SHORT = "max-age=1"

Index = Annotated[int, Query(ge=0, le=MAX_LEAF_INDEX)]
# Problem answers beyond api/openapi.py's rules; the description adds their Problem content.
NOT_YET = {"description": "No checkpoint with the witness quorum covers it yet (Retry-After)"}
BEYOND = {"description": "A tree size beyond the log"}


def log_session(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    settings: SettingsDep,
    session: ReplicaSession,
) -> Session:
    """The request's read-only session for any valid key; no key needed when the log is public.

    Everything it serves is signed or proven against a signed checkpoint, so the standby
    may answer (core/replica.py): a reader sees at worst a slightly older checkpoint.
    """
    if not (settings.log_public and "authorization" not in request.headers):
        authenticate(request, db, session)  # 401 without a valid key; a bad key even if public
    return session


LogSession = Annotated[Session, Depends(log_session)]


def _cache(settings: Settings, policy: str) -> dict[str, str]:
    # Shared caches may keep what anyone may fetch; otherwise only the client's own cache.
    scope = "public" if settings.log_public else "private"
    return {"Cache-Control": f"{scope}, {policy}"}


@contextmanager
def _absence_not_cached() -> Iterator[None]:
    """A 404 here (a tile not full yet, no checkpoint yet) may turn into a 200 within a
    second: RFC 9111 lets shared caches keep a 404 heuristically and CDNs do by default,
    so it says `no-store`."""
    try:
        yield
    except NotFound as exc:
        exc.headers.setdefault("Cache-Control", "no-store")
        raise


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


_EXAMPLE_PROOF: list[JsonValue] = [
    "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
    "S/USLzRFVMU73i67jNK349FgCtYxw4Wl18ziPHeFRZo=",
    "28G0yQD/5I1XW12lxjgEASX2XbD+PiRJS3bqmGRX2YY=",
]


class InclusionProof(BaseModel):
    """RFC 9162 inclusion proof: hashes from the leaf's sibling up, standard base64."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"index": 5, "size": 8, "proof": _EXAMPLE_PROOF}]}
    )

    index: int
    size: int
    proof: list[str]


class ConsistencyProof(BaseModel):
    """RFC 9162 consistency proof from `first` to `second` leaves, standard base64."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"first": 6, "second": 8, "proof": _EXAMPLE_PROOF}]}
    )

    first: int
    second: int
    proof: list[str]


@router.get(
    "/checkpoint",
    response_class=Response,
    summary="The newest cosigned checkpoint",
    responses={200: {"content": {"text/plain": {}}}, 404: NOT_YET},
)
def checkpoint(session: LogSession, settings: SettingsDep) -> Response:
    """C2SP tlog-checkpoint as a signed note, with the witnesses' cosignature lines."""
    with _absence_not_cached():
        note = service.checkpoint_note(session, settings.witness_quorum, retry_after(settings))
    return Response(note, media_type=TEXT, headers=_cache(settings, SHORT))


@router.get(
    "/tile/{path:path}",
    response_class=Response,
    summary="A C2SP tlog-tiles hash tile (entry bundles are not served)",
    responses={
        200: {"content": {"application/octet-stream": {}}},
        304: {"description": "Not modified: If-None-Match names the tile's ETag"},
        400: {"description": "Not a canonical tlog-tiles path: `/bad-tile-path`"},
    },
)
def tile(path: str, request: Request, session: LogSession, settings: SettingsDep) -> Response:
    """`tile/<L>/<N>[.p/<W>]`; full tiles never change and are cached for a year.

    The ETag is the tile's SHA-256: a tile's bytes are its name's for ever (a partial
    tile's width is in its name), so a proxy or client revalidates with If-None-Match and
    gets a 304 without the body."""
    with _absence_not_cached():
        found = service.tile(session, "tile/" + path)
    policy = IMMUTABLE if found.full else SHORT
    headers = _cache(settings, policy) | {"ETag": f'"{hashlib.sha256(found.data).hexdigest()}"'}
    if _matches(headers["ETag"], request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type="application/octet-stream", headers=headers)


def _matches(etag: str, header: str | None) -> bool:
    """Whether If-None-Match names `etag` (weakly, as RFC 9110 compares for this header)
    or is `*`."""
    tags = {t.strip().removeprefix("W/") for t in (header or "").split(",")}
    return etag in tags or "*" in tags


@router.get(
    "/proof/inclusion",
    response_model=InclusionProof,
    summary="Inclusion proof of a leaf in a tree size",
    responses={404: BEYOND},
)
def inclusion(index: Index, size: Index, session: LogSession) -> InclusionProof:
    """Verify it against the root of a signed checkpoint of that size."""
    return InclusionProof(
        index=index, size=size, proof=_b64(service.inclusion(session, index, size))
    )


@router.get(
    "/proof/consistency",
    response_model=ConsistencyProof,
    summary="Consistency proof between two tree sizes",
    responses={404: BEYOND},
)
def consistency(first: Index, second: Index, session: LogSession) -> ConsistencyProof:
    """Proves the tree of `second` leaves extends the tree of `first` leaves."""
    return ConsistencyProof(
        first=first, second=second, proof=_b64(service.consistency(session, first, second))
    )


@router.get(
    "/entries/{index}",
    response_class=Response,
    summary="The record bytes of a leaf (entitled parties only)",
    responses={200: {"content": {"application/json": {}}}},
)
def entry(
    index: Annotated[int, Path(ge=0, le=MAX_LEAF_INDEX)],
    caller: ReplicaParticipantDep,
    session: ReplicaSession,
) -> Response:
    """The actor, the parties the event names and regulators over them; others get 404."""
    record = service.entry(session, caller, index)
    return Response(
        record, media_type="application/json", headers={"Cache-Control": "private, no-store"}
    )


@router.get(
    "/receipts/{index}",
    response_class=Response,
    summary="A tlog-proof@v1 receipt of a leaf, verifiable offline",
    responses={200: {"content": {"text/plain": {}}}, 404: NOT_YET},
)
def receipt(
    index: Annotated[int, Path(ge=0, le=MAX_LEAF_INDEX)], session: LogSession, settings: SettingsDep
) -> Response:
    """Before the leaf is in a cosigned checkpoint: 404 `/not-yet-checkpointed`, Retry-After."""
    with _absence_not_cached():
        bundle = service.receipt_bundle(
            session, index, settings.witness_quorum, retry_after(settings)
        )
    return Response(bundle, media_type=TEXT, headers=_cache(settings, SHORT))
