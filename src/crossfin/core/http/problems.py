"""Map every error to an RFC 9457 application/problem+json answer."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from crossfin.core.errors import PROBLEM_BASE, CrossfinError, field_path
from crossfin.core.http.answers import PROBLEM_JSON
from crossfin.core.logging import request_id_var
from crossfin.core.security import SecurityKind, report

log = logging.getLogger("crossfin.api")
PROBLEM_TYPE = PROBLEM_JSON  # one spelling, shared with stored answers


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    body.setdefault("request_id", request_id_var.get())
    return JSONResponse(
        body, status_code=int(body["status"]), media_type=PROBLEM_TYPE, headers=headers
    )


def _field_path(loc: tuple[Any, ...]) -> str:
    # FastAPI prefixes the location ("body", "query"...); keep it out of the field name
    # for bodies, so "documents[0].amount" reads as the client wrote it.
    if loc and loc[0] == "body":
        loc = loc[1:]
    return field_path(loc) or "body"


async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    malformed = [e for e in exc.errors() if e.get("type") == "json_invalid"]
    if malformed:
        # Not JSON at all is a malformed request (400), not a value that fails a rule.
        reason = str((malformed[0].get("ctx") or {}).get("error") or "not valid JSON")
        await run_in_threadpool(
            report,
            request.app.state.db,
            SecurityKind.BODY_MALFORMED,
            address=request.client.host if request.client else None,
            route=getattr(request.scope.get("route"), "path", None) or request.url.path,
            detail={"reason": reason[:200]},
        )
        return problem_response(
            {
                "type": PROBLEM_BASE + "bad-request",
                "status": 400,
                "title": "Bad request",
                "detail": f"the body is not valid JSON: {reason}",
                "errors": [{"field": "body", "reason": reason}],
                "instance": request.url.path,
            }
        )
    errors = [{"field": _field_path(tuple(e["loc"])), "reason": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem_response(
        {
            "type": PROBLEM_BASE + "validation",
            "status": 422,
            "title": "The request is not valid",
            "detail": detail,
            "errors": errors,
            "instance": request.url.path,
        }
    )


async def _on_domain(request: Request, exc: CrossfinError) -> JSONResponse:
    body = exc.problem() | {"instance": request.url.path}
    return problem_response(body, exc.headers or None)


def allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path, for a 405's `Allow`.

    Starlette names only the methods of the first route whose path matched, but the API
    has a route per method (`GET /v1/orgs` and `POST /v1/orgs` are two routes).
    """
    path = request.scope["path"]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(path):
            methods.update(route.methods)
    return ", ".join(sorted(methods))


async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated"}.get(
        exc.status_code, "http-error"
    )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return problem_response(
        {
            "type": PROBLEM_BASE + slug,
            "status": exc.status_code,
            "title": str(exc.detail),
            "detail": str(exc.detail),
            "instance": request.url.path,
        },
        headers,
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    correlation = str(uuid.uuid4())
    log.error("unexpected error", exc_info=exc, extra={"correlation_id": correlation})
    return problem_response(
        {
            "type": PROBLEM_BASE + "internal",
            "status": 500,
            "title": "Internal error",
            "detail": "an unexpected error occurred; quote the correlation id",
            "correlation_id": correlation,
            "instance": request.url.path,
        }
    )


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    # Starlette types every handler as taking any Exception (arg-type below); each one is
    # only called with an instance of the class it is registered for.
    app.add_exception_handler(RequestValidationError, _on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(CrossfinError, _on_domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)
