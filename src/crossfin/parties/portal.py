"""Who is logged in to the portal: the session's principal, re-checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import delete
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.http.deps import database_of
from crossfin.core.http.writes import is_write
from crossfin.core.web.errors import LoginRequired
from crossfin.core.web.session import SESSION_SECONDS, codec, current_session, replace_session
from crossfin.parties.access import Caller, require_writer
from crossfin.parties.credentials import caller_for, check_password
from crossfin.parties.models import Organization, PortalLogin, Principal, PrincipalKind
from crossfin.parties.notifications.service import unread_count


@dataclass(frozen=True)
class PortalUser:
    """The logged-in user as pages show it."""

    caller: Caller
    username: str
    org_name: str
    org_name_zh: str | None
    # Notices the user has not read, for the header's inbox link.
    unread: int = 0

    def org_label(self, lang: str) -> str:
        return (self.org_name_zh or self.org_name) if lang == "zh" else self.org_name


def _load_user(request: Request, session: Session, principal_id: int) -> PortalUser | None:
    """The active user behind the session, or None when it is gone, disabled or re-keyed."""
    principal = session.get(Principal, principal_id)
    if principal is None or not principal.active or principal.kind != PrincipalKind.USER:
        return None
    cookie = current_session(request)
    expected = codec(request).password_tag(principal.password_hash)
    if expected != cookie.password_tag:
        return None
    login = session.get(PortalLogin, login_id(cookie.login_token))
    if login is None or login.principal_id != principal_id:
        return None  # logged out (this cookie may be a copy), or never a server-side login
    return _user_of(session, principal)


def _user_of(session: Session, principal: Principal) -> PortalUser:
    org = session.get_one(Organization, principal.org_id)
    caller = caller_for(session, principal)
    name = principal.username or principal.name
    return PortalUser(caller, name, org.name, org.name_zh, unread_count(session, caller))


def portal_user(request: Request) -> PortalUser | None:
    """The logged-in user, or None; ends a session whose principal may no longer log in."""
    if hasattr(request.state, "portal_user"):
        user: PortalUser | None = request.state.portal_user
        return user
    user = None
    principal_id = current_session(request).principal_id
    if principal_id is not None:
        with database_of(request).session(readonly=True) as session:
            user = _load_user(request, session, principal_id)
        if user is None:
            replace_session(request)  # revoked server-side: forget the login at once
    request.state.portal_user = user
    if user is not None:
        request.state.caller = user.caller
    return user


def get_portal_caller(request: Request) -> Caller:
    """The logged-in caller; anyone else is redirected to /login (see LoginRequired).

    As in the API (`parties.http.get_caller`), a write (core/http/writes.py) by a
    read-only role is refused here (403) before the page's handler runs.
    """
    user = portal_user(request)
    if user is None:
        raise LoginRequired()
    if is_write(request):
        require_writer(user.caller)
    return user.caller


PortalCallerDep = Annotated[Caller, Depends(get_portal_caller)]


def log_in(request: Request, username: str, password: str) -> PortalUser | None:
    """Check the password and start a fresh session; None (same answer) on any failure."""
    with database_of(request).session(readonly=True) as session:
        principal = check_password(session, username, password)
        if principal is None or principal.kind != PrincipalKind.USER:
            return None
        tag = codec(request).password_tag(principal.password_hash)
        user = _user_of(session, principal)
    token = _open_login(database_of(request), user.caller.principal_id)
    replace_session(request, user.caller.principal_id, tag, token)
    request.state.portal_user = user
    return user


def log_out(request: Request) -> None:
    """End the login on the server (copies of the cookie die with it); new CSRF token."""
    token = current_session(request).login_token
    if token:
        with database_of(request).session() as session, session.begin():
            session.execute(delete(PortalLogin).where(PortalLogin.id == login_id(token)))
    replace_session(request)
    request.state.portal_user = None


def login_id(token: str) -> str:
    """The row id of a login: the SHA-256 of the cookie's random token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _open_login(db: Database, principal_id: int) -> str:
    """Record a new login; logins older than a session's lifetime are deleted on the way."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as session, session.begin():
        session.execute(
            delete(PortalLogin).where(
                PortalLogin.created_at < now - timedelta(seconds=SESSION_SECONDS)
            )
        )
        session.add(PortalLogin(id=login_id(token), principal_id=principal_id, created_at=now))
    return token
