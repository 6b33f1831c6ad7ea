"""The FastAPI application factory: routers, problem handlers, middleware, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from crossfin import __version__
from crossfin.api.limits import BodyLimit
from crossfin.api.middleware import Metrics, RequestContext
from crossfin.api.openapi import PUBLIC, describe
from crossfin.api.routes import ops
from crossfin.api.watch import DenialWatch
from crossfin.assembly import assemble
from crossfin.core.db import Database
from crossfin.core.http import problems
from crossfin.core.http.deps import database_of, settings_of
from crossfin.core.logging import configure_logging
from crossfin.core.settings import Settings
from crossfin.parties import routes as parties
from crossfin.parties.http import authenticate_blocking
from crossfin.parties.keycache import VerifiedKeys
from crossfin.parties.security.bursts import DenialTally
from crossfin.parties.security.metrics import SecurityEventsCollector
from crossfin.parties.security.ratelimit import RateLimiter, limits_of

DESCRIPTION = """Cross-border financial service platform.

Every `/v1` call needs `Authorization: Bearer cf_<id>_<secret>`, except the public
register under `/v1/public/`. Errors are RFC 9457
`application/problem+json` with a stable `type` (see docs/api.md). Every POST accepts an
`Idempotency-Key` header; state-changing answers carry a ledger `receipt`."""


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """Build the app; the database is opened here, never at import time."""
    assemble()  # the domains' hooks, before anything can call them
    configure_logging(settings.log_level)
    app = FastAPI(
        title="crossfin", version=__version__, description=DESCRIPTION, lifespan=_lifespan
    )
    app.state.settings = settings
    app.state.db = db or Database.from_settings(settings)
    app.state.verified_keys = VerifiedKeys()
    # The hook the ledger's routes authenticate through (core/http/participant.py).
    app.state.authenticate = authenticate_blocking
    app.state.metrics = Metrics()
    # Per-key rate limits shared by every worker through the database (docs/operations.md).
    app.state.rate_limiter = RateLimiter(
        app.state.db, limits_of(settings), settings.rate_limit_window_seconds
    )
    app.state.security_collector = SecurityEventsCollector(app.state.db)
    app.state.metrics.registry.register(app.state.security_collector)
    problems.install(app)
    app.include_router(ops.router)
    app.include_router(parties.router)
    for extra in _optional_routers():
        app.include_router(extra)
    _mount_portal(app, settings)
    # FastAPI's documented way to customise the schema is to replace this method.
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    # Bursts of 403/404 on ids by one caller are security events (api/watch.py).
    app.add_middleware(DenialWatch, tally=DenialTally())
    # Bodies are bounded before routing, authentication and parsing (api/limits.py).
    app.add_middleware(BodyLimit)
    # Outermost: request ids and the last-resort problem answer wrap everything.
    app.add_middleware(RequestContext, metrics=app.state.metrics)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the ledger's checkpointer while the app serves (docs/ledger.md, election)."""
    from crossfin.ledger.checkpointer import start_background

    background = start_background(database_of(app), settings_of(app))
    try:
        yield
    finally:
        if background is not None:
            background.stop()


def _optional_routers() -> list[Any]:
    """Routers of domains that register themselves (ledger, documents, financing)."""
    from crossfin.api.routes import registry

    return registry.routers()


def _mount_portal(app: FastAPI, settings: Settings) -> None:
    from crossfin.web import mount

    mount(app, settings)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    schema.setdefault("components", {})["securitySchemes"] = {
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key issued by `crossfin api-key issue`.",
        }
    }
    for path, operations in schema.get("paths", {}).items():
        if path.startswith("/v1") and not path.startswith(PUBLIC):
            for operation in operations.values():
                operation["security"] = [{"apiKey": []}]
    app.openapi_schema = describe(schema)
    return schema
