"""The portal's session: a signed cookie holding the CSRF token, the login and flashes.

Nothing secret is in the cookie (it is signed, not encrypted): a principal id, a CSRF
token, the login time and a tag derived from the password hash, so that changing the
password ends every other session. Disabling a principal ends its sessions too, because
each request re-reads the principal (see crossfin.web.auth).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from crossfin.core.secrets import platform_secret
from crossfin.core.settings import Settings

SESSION_COOKIE = "crossfin_session"
# A login lasts one working day; the cookie and the signature both expire then.
SESSION_SECONDS = 8 * 3600
_SALT = "crossfin.portal.session.v1"


@dataclass
class PortalSession:
    """What the cookie carries; `dirty` means the response must set the cookie again."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    principal_id: int | None = None
    login_at: int = 0
    password_tag: str = ""
    login_token: str = ""  # names the server-side login (PortalLogin) this cookie belongs to
    flashes: list[tuple[str, str]] = field(default_factory=list)
    dirty: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "c": self.csrf,
            "p": self.principal_id,
            "t": self.login_at,
            "w": self.password_tag,
            "l": self.login_token,
            "f": [list(item) for item in self.flashes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PortalSession:
        flashes = [(str(kind), str(key)) for kind, key in data.get("f", [])]
        principal = data.get("p")
        return cls(
            csrf=str(data["c"]),
            principal_id=int(principal) if principal else None,
            login_at=int(data.get("t", 0)),
            password_tag=str(data.get("w", "")),
            login_token=str(data.get("l", "")),
            flashes=flashes,
        )

    @property
    def expired(self) -> bool:
        return self.principal_id is not None and time.time() - self.login_at > SESSION_SECONDS


class SessionCodec:
    """Signs and checks session cookies with the platform secret (read on first use)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._serializer: URLSafeTimedSerializer | None = None
        self._secret = b""

    def _signer(self) -> URLSafeTimedSerializer:
        if self._serializer is None:
            self._secret = platform_secret(self.settings)
            self._serializer = URLSafeTimedSerializer(self._secret, salt=_SALT)
        return self._serializer

    def dumps(self, session: PortalSession) -> str:
        return self._signer().dumps(session.as_dict())

    def loads(self, text: str) -> PortalSession | None:
        """The session, or None when the signature is bad or older than SESSION_SECONDS."""
        try:
            data = self._signer().loads(text, max_age=SESSION_SECONDS)
            return PortalSession.from_dict(data)
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def password_tag(self, password_hash: str | None) -> str:
        """A short keyed digest of the password hash: changes when the password does."""
        self._signer()
        digest = hmac.new(self._secret, (password_hash or "").encode(), hashlib.sha256)
        return digest.hexdigest()[:16]


def codec(request: Request) -> SessionCodec:
    found: SessionCodec = request.app.state.portal.codec
    return found


def current_session(request: Request) -> PortalSession:
    """This request's session, parsed once; a fresh anonymous one when absent or invalid."""
    found: PortalSession | None = getattr(request.state, "portal_session", None)
    if found is not None:
        return found
    raw = request.cookies.get(SESSION_COOKIE)
    session = codec(request).loads(raw) if raw else None
    if session is None or session.expired:
        session = PortalSession(dirty=True)
    request.state.portal_session = session
    return session


def replace_session(
    request: Request, principal_id: int | None = None, password_tag: str = "", login_token: str = ""
) -> PortalSession:
    """Start over with a new CSRF token (at login and logout, against session fixation)."""
    session = PortalSession(
        principal_id=principal_id,
        password_tag=password_tag,
        login_at=int(time.time()) if principal_id else 0,
        login_token=login_token,
        dirty=True,
    )
    request.state.portal_session = session
    return session


def add_flash(request: Request, kind: str, key: str) -> None:
    """Queue a message (an i18n key) for the next page shown; kind: success, error, info."""
    session = current_session(request)
    session.flashes.append((kind, key))
    session.dirty = True


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    session = current_session(request)
    if not session.flashes:
        return []
    shown, session.flashes = session.flashes, []
    session.dirty = True
    return shown


def save_session(request: Request, response: Response) -> None:
    """Set the cookie on `response` when the session changed during this request."""
    session: PortalSession | None = getattr(request.state, "portal_session", None)
    if session is None or not session.dirty:
        return
    settings = codec(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        codec(request).dumps(session),
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    session.dirty = False
