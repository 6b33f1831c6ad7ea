"""Portal errors, and HTML error pages for page routes (the API keeps problem+json)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, Forbidden

# The API's handlers are all coroutines; Starlette types them more loosely.
Handler = Callable[[Request, Any], Awaitable[Response]]
log = logging.getLogger("crossfin.web")


class CsrfRefused(Forbidden):
    slug = "csrf-refused"
    title = "The form's CSRF token is missing or wrong"


class TooManyAttempts(CrossfinError):
    status = 429
    slug = "too-many-attempts"
    title = "Too many failed attempts; wait and try again"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"try again in {retry_after} s")
        self.retry_after = retry_after
        self.headers["Retry-After"] = str(retry_after)


class LoginRequired(Exception):
    """Raised by the portal's caller dependency; answered with a redirect to /login."""


def is_page_request(request: Request) -> bool:
    """True for portal routes, and for unrouted paths a browser asks for as HTML."""
    route = request.scope.get("route")
    if route is not None:
        page: bool = request.app.state.portal.is_page_route(route)
        return page
    if request.url.path.startswith("/v1"):
        return False
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Wrap the API's handlers so that page routes answer HTML; call after problems.install."""
    from crossfin.core.web.render import login_redirect, render_error

    domain = cast(Handler, app.exception_handlers[CrossfinError])
    http = cast(Handler, app.exception_handlers[StarletteHTTPException])
    validation = cast(Handler, app.exception_handlers[RequestValidationError])
    unexpected = cast(Handler, app.exception_handlers[Exception])

    async def on_domain(request: Request, exc: CrossfinError) -> Response:
        if not is_page_request(request):
            return await domain(request, exc)
        return render_error(request, exc.status, exc.slug, exc.detail, exc.headers)

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page_request(request):
            return await http(request, exc)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return render_error(
            request, exc.status_code, slug, str(exc.detail), dict(exc.headers or {})
        )

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        if not is_page_request(request):
            return await validation(request, exc)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return render_error(request, 422, "validation", fields)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        answer = await unexpected(request, exc)  # logs the cause with a correlation id
        if not is_page_request(request):
            return answer
        correlation = json.loads(bytes(answer.body)).get("correlation_id", "")
        try:
            return render_error(request, 500, "internal", correlation)
        except Exception:  # the page itself failed: the problem answer still stands
            log.exception("the error page could not be rendered")
            return answer

    async def on_login_required(request: Request, exc: LoginRequired) -> Response:
        return login_redirect(request)

    # Starlette types every handler as taking any Exception (arg-type below); each one is
    # only called with an instance of the class it is registered for.
    app.add_exception_handler(CrossfinError, on_domain)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(LoginRequired, on_login_required)  # type: ignore[arg-type]
