"""Installing the portal: static files, page routers, HTML error pages, shared state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from crossfin.core.settings import Settings
from crossfin.web import errors, registry
from crossfin.web.nav import NavEntry
from crossfin.web.session import SessionCodec
from crossfin.web.throttle import LoginThrottle

STATIC_DIR = Path(__file__).parent / "static"


@dataclass
class PortalState:
    """Per-app portal state, kept on `app.state.portal`."""

    settings: Settings
    codec: SessionCodec
    throttle: LoginThrottle
    nav: list[NavEntry] = field(default_factory=list)
    # ids of the route objects that serve pages: their errors answer HTML, not
    # problem+json (routes compare by value and are unhashable, so we keep ids).
    page_routes: set[int] = field(default_factory=set)

    def is_page_route(self, route: Any) -> bool:
        return id(route) in self.page_routes


def install(app: FastAPI, settings: Settings) -> None:
    """Attach the portal's routes, static files and error pages to `app`."""
    state = PortalState(settings=settings, codec=SessionCodec(settings),
                        throttle=LoginThrottle(app.state.db), nav=registry.nav_entries())
    app.state.portal = state
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    before = {id(route) for route in app.router.routes}
    for router in registry.routers():
        # Pages are not part of the API contract, so they stay out of /openapi.json.
        app.include_router(router, include_in_schema=False)
        # Recent FastAPI puts the router's own route objects in scope["route"]; older
        # versions copy them into the app's routes: remember both.
        state.page_routes.update(id(route) for route in router.routes)
    state.page_routes.update(id(r) for r in app.router.routes if id(r) not in before)
    errors.install(app)
