"""Installing the portal: static files, page routers, HTML error pages, shared state."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment

from crossfin.core.http.deps import database_of
from crossfin.core.settings import Settings
from crossfin.core.web import errors
from crossfin.core.web.i18n import LANGUAGES, load_translations
from crossfin.core.web.nav import NavEntry, entries_for
from crossfin.core.web.render import environment
from crossfin.core.web.session import SessionCodec
from crossfin.parties.access import READ_ONLY_ROLES, Caller
from crossfin.parties.portal import get_portal_caller, portal_user
from crossfin.parties.throttle import LoginThrottle
from crossfin.web import registry
from crossfin.web.labels import ERROR_TITLES, LABELS

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"
# gettext catalogs: locale/messages.pot and locale/<lang>/LC_MESSAGES/messages.po
LOCALE_DIR = Path(__file__).parent / "locale"


def translations() -> dict[str, gettext.NullTranslations]:
    """Every language's translations (each compiled once per process)."""
    return {lang: load_translations(LOCALE_DIR, lang) for lang in LANGUAGES}


@lru_cache(maxsize=1)
def environments() -> Mapping[str, Environment]:
    """One Jinja environment per language, shared by the apps of this process: they
    hold nothing that changes after they are made."""
    return {
        lang: environment(TEMPLATE_DIR, found, LABELS) for lang, found in translations().items()
    }


@dataclass
class PortalState:
    """Per-app portal state, kept on `app.state.portal`."""

    settings: Settings
    codec: SessionCodec
    throttle: LoginThrottle
    environments: Mapping[str, Environment]
    translations: Mapping[str, gettext.NullTranslations]
    error_titles: Mapping[str, str] = field(default_factory=lambda: ERROR_TITLES)
    nav: list[NavEntry] = field(default_factory=list)
    # ids of the route objects that serve pages: their errors answer HTML, not
    # problem+json (routes compare by value and are unhashable, so we keep ids).
    page_routes: set[int] = field(default_factory=set)

    def is_page_route(self, route: Any) -> bool:
        return id(route) in self.page_routes

    def authenticate(self, request: Request) -> Caller:
        """The logged-in caller, for the ledger's page (core/http/participant.py)."""
        return get_portal_caller(request)

    def page_context(self, request: Request) -> dict[str, Any]:
        """Who is logged in and the menu they see (core.web.render's `Portal`)."""
        user = portal_user(request)
        caller = user.caller if user else None
        # Auditors read only (parties.access.READ_ONLY_ROLES): their pages show no form
        # that changes anything, since the server would refuse it anyway.
        can_act = caller is not None and caller.role not in READ_ONLY_ROLES
        return {
            "user": user,
            "caller": caller,
            "nav": entries_for(self.nav, caller),
            "can_act": can_act,
        }


def install(app: FastAPI, settings: Settings) -> None:
    """Attach the portal's routes, static files and error pages to `app`."""
    state = PortalState(
        settings=settings,
        codec=SessionCodec(settings),
        throttle=LoginThrottle(database_of(app)),
        environments=environments(),
        translations=translations(),
        nav=registry.nav_entries(),
    )
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
