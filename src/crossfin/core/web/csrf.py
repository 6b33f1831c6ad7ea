"""CSRF protection for portal POSTs: a per-session token, in a form field or a header."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from crossfin.core.web.errors import CsrfRefused
from crossfin.core.web.session import current_session

CSRF_FIELD = "csrf_token"
# htmx requests carry the token in this header (base.html sets it with hx-headers).
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    """The token to embed in this session's forms."""
    return current_session(request).csrf


async def check_csrf(request: Request) -> None:
    """Refuse (403) a request whose token does not match the session's; use on every POST."""
    given: object = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            given = (await request.form()).get(CSRF_FIELD)
    expected = current_session(request).csrf
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
        raise CsrfRefused("reload the page and submit the form again")


CsrfDep = Annotated[None, Depends(check_csrf)]
