"""Login, logout and the language toggle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from crossfin.core.http.deps import database_of
from crossfin.core.security import SecurityKind
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from crossfin.core.web.render import redirect, render, safe_next
from crossfin.parties.portal import log_in, log_out, portal_user
from crossfin.parties.security.events import note_login_event

router = APIRouter()
# A year: the choice is a preference, not a credential.
LANGUAGE_MAX_AGE = 365 * 24 * 3600
MAX_FIELD = 200


def _client_ip(request: Request) -> str:
    # Behind a proxy run uvicorn with --proxy-headers so this is the real client.
    return request.client.host if request.client else "unknown"


@router.get("/login", summary="The login form")
def login_form(request: Request, next: str | None = None) -> Response:
    if portal_user(request) is not None:
        return redirect(request, safe_next(next))
    return render(request, "portal/login.html", {"next": safe_next(next), "username": ""})


@router.post("/login", summary="Log in with username and password")
def login(
    request: Request,
    _: CsrfDep,
    username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=MAX_FIELD)] = "/",
) -> Response:
    throttle, db = request.app.state.portal.throttle, database_of(request)
    ip = _client_ip(request)
    context = {"next": safe_next(next), "username": username}
    wait = throttle.retry_after(username, ip)
    if wait:
        # Checked before the password, so a blocked guesser learns nothing more.
        note_login_event(db, SecurityKind.LOGIN_THROTTLED, username, ip, retry_after=wait)
        return render(
            request,
            "portal/login.html",
            context | {"wait": wait},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    user = log_in(request, username.strip(), password) if username and password else None
    if user is None:
        throttle.failed(username, ip)
        note_login_event(db, SecurityKind.LOGIN_FAILED, username, ip)
        # One message for an unknown user and a wrong password: names cannot be probed.
        return render(
            request,
            "portal/login.html",
            context | {"error": N_("Wrong username or password.")},
            status_code=401,
        )
    throttle.succeeded(username, ip)
    return redirect(request, safe_next(next))


@router.post("/logout", summary="Log out")
def logout(request: Request, _: CsrfDep) -> Response:
    log_out(request)
    return redirect(request, "/login", flash=("info", N_("You have logged out.")))


@router.post("/language", summary="Choose the portal language")
def choose_language(
    request: Request,
    _: CsrfDep,
    lang: Annotated[str, Form(max_length=8)] = "en",
    next: Annotated[str, Form(max_length=MAX_FIELD)] = "/",
) -> Response:
    response = redirect(request, safe_next(next))
    if lang in LANGUAGES:
        settings = request.app.state.portal.settings
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=LANGUAGE_MAX_AGE,
            path="/",
            samesite="lax",
            secure=settings.secure_cookies,
            httponly=True,
        )
    return response
