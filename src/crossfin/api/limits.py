"""Bounded input at the door: body size per route class and JSON nesting, before anything else.

Runs inside the request context (so a refusal still has a request id, metrics and a log
line) and outside routing, authentication and parsing: a 100 MB body sent without a key is
refused after its first megabyte, not read whole and then answered 401.

A declared Content-Length over the limit is refused at once; a chunked body is counted as
it arrives and refused when it passes the limit. A JSON body (the API's) is held until it
is complete, which FastAPI does anyway, and its nesting is checked before it is parsed.
Text holding U+0000, which PostgreSQL cannot store, is refused here too (core/nul.py): in
the path, the query or a JSON body, a 422 naming where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crossfin.core import nul
from crossfin.core.errors import CrossfinError, PayloadTooLarge
from crossfin.core.jsonsafe import check_depth
from crossfin.core.logging import request_id_var
from crossfin.core.security import SecurityKind, report

MIB = 1024 * 1024
DEFAULT_LIMIT = 1 * MIB


@dataclass(frozen=True)
class RouteClass:
    """Requests whose method and path match get `limit` bytes of body at most."""

    name: str
    methods: frozenset[str]
    path: re.Pattern[str]
    limit: int


# The classes beyond the 1 MiB default; each names why it needs more.
ROUTE_CLASSES = (
    # A source's chunk of a signed batch (documents/ingest/routes.py MAX_CHUNK_BYTES).
    RouteClass(
        "batch-lines",
        frozenset({"PUT", "POST"}),
        re.compile(r"^/v1/batches/[^/]+/lines$"),
        64 * MIB,
    ),
    # Up to 10,000 items with their claimed fields.
    RouteClass("bulk-verify", frozenset({"POST"}), re.compile(r"^/v1/documents/verify$"), 8 * MIB),
    # An annual class result of up to 10,000 rows (parties/classes/imports.py).
    RouteClass("class-import", frozenset({"POST"}), re.compile(r"^/v1/classes/import$"), 4 * MIB),
    # A P3 template of up to 10,000 rows, CSV or XLSX (payments/template.py).
    RouteClass(
        "payment-upload",
        frozenset({"POST"}),
        re.compile(r"^/(v1/)?payments/uploads?$"),
        8 * MIB,
    ),
    # A P1 review task's papers: up to 5 files of 1 MiB each, base64 (payments/sampling.py).
    RouteClass(
        "p1-papers",
        frozenset({"POST"}),
        re.compile(r"^/(v1/)?p1-review-tasks/[^/]+/papers$"),
        8 * MIB,
    ),
    # A filing's attachment: one file, within its form's limit (filings/attachments.py).
    RouteClass(
        "filing-attachment",
        frozenset({"POST"}),
        re.compile(r"^/v1/filings/[^/]+/attachments$"),
        32 * MIB,
    ),
    # A filing's content (a statistics filing by API: its tables), drafted or submitted.
    RouteClass(
        "filing-content",
        frozenset({"POST"}),
        re.compile(r"^/v1/filings(/[^/]+/(submit|resubmit|revise))?$"),
        8 * MIB,
    ),
    # A statistics file (CSV or XLSX, filings/statistics/uploads.py), by API or portal.
    RouteClass(
        "statistics-upload",
        frozenset({"POST"}),
        re.compile(r"^(/v1/statistics/uploads|/v1/filings/[^/]+/upload|/filings/statistics/.*)$"),
        32 * MIB,
    ),
    # Portal uploads: two files of at most 20 MiB each (documents/ingest/pages.py).
    RouteClass("portal-upload", frozenset({"POST"}), re.compile(r"^/(verify|batches)$"), 41 * MIB),
)


def limit_for(method: str, path: str) -> tuple[str, int]:
    """The route class and byte limit of a request."""
    for route_class in ROUTE_CLASSES:
        if method in route_class.methods and route_class.path.match(path):
            return route_class.name, route_class.limit
    return "default", DEFAULT_LIMIT


class _Refused(Exception):
    """A held JSON body was refused before the app saw it."""

    def __init__(self, error: CrossfinError) -> None:
        self.error = error


class BodyLimit:
    """Refuses oversized bodies (413), over-nested JSON (400) and NUL in text (422)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            nul.check_url(scope["path"], scope.get("query_string", b""))
        except CrossfinError as error:
            await _answer(send, error)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        name, limit = limit_for(scope["method"], scope["path"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").strip()
        too_large = PayloadTooLarge(f"this route ({name}) takes at most {limit} bytes of body")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, too_large)
            await _note(scope, SecurityKind.BODY_TOO_LARGE, name, limit)
            return
        content_type = headers.get(b"content-type", b"")
        if _is_json(content_type) or _is_form(content_type):
            try:
                body = await _read_all(receive, limit, too_large)
                if _is_json(content_type):
                    check_depth(body)
                    nul.check_json(body)
                else:  # a portal form: small, and its fields reach the database as text
                    nul.check_form(body)
            except _Refused as refused:
                await _answer(send, refused.error)
                await _note(scope, SecurityKind.BODY_TOO_LARGE, name, limit)
                return
            except CrossfinError as error:
                await _answer(send, error)
                await _note(scope, SecurityKind.BODY_MALFORMED, name, limit, error.detail)
                return
            await self.app(scope, _replay(body, receive), send)
            return
        await self._counted(scope, receive, send, name, limit, too_large)

    async def _counted(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        name: str,
        limit: int,
        too_large: PayloadTooLarge,
    ) -> None:
        # Past the limit the app is told the client went away, and whatever it answers to
        # that (FastAPI: a 400 "error parsing the body") is replaced by the 413 problem.
        seen, refused, answered, started = 0, False, False, False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered, started
            if not refused or started:  # an answer under way before the refusal goes on
                started = started or message["type"] == "http.response.start"
                await send(message)
            elif not answered:
                answered = True
                await _answer(send, too_large)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused or started:
                raise
        if refused and not answered and not started:
            await _answer(send, too_large)
        if refused:
            await _note(scope, SecurityKind.BODY_TOO_LARGE, name, limit)


async def _note(
    scope: Scope, kind: SecurityKind, name: str, limit: int, reason: str | None = None
) -> None:
    """Record a refused body (after the answer is sent, so the client does not wait)."""
    client = scope.get("client")
    detail: dict[str, object] = {"route_class": name, "limit_bytes": limit}
    if reason:
        detail["reason"] = reason
    await run_in_threadpool(
        report,
        scope["app"].state.db,
        kind,
        address=client[0] if client else None,
        route=f"{scope['method']} {scope['path']}"[:200],
        detail=detail,
    )


def _is_form(content_type: bytes) -> bool:
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/x-www-form-urlencoded"


def _is_json(content_type: bytes) -> bool:
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or kind.endswith(b"+json")


async def _read_all(receive: Receive, limit: int, too_large: PayloadTooLarge) -> bytes:
    parts: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise _Refused(too_large)
        parts.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The held body once, then the real channel (which reports a real disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, error: CrossfinError) -> None:
    body = error.problem() | {"request_id": request_id_var.get()}
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [(b"content-type", b"application/problem+json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})
