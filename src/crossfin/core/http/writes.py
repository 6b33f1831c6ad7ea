"""Which requests are writes: the rule that keeps read-only roles (auditors) reading hangs
on this one function, for the API and the portal alike.

Every request whose method is not GET, HEAD or OPTIONS is a write, unless its route's
function is marked with one of the decorators below, each naming why the request changes
nothing a read-only principal may not change. Parties' authentication
(`parties/http.get_caller`, `parties/portal.get_portal_caller`) asks `is_write` and refuses
a write by a read-only role with 403 before the route runs; a new POST route is therefore
closed to auditors unless someone decides otherwise here, by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MARK = "__crossfin_not_a_write__"

F = TypeVar("F", bound=Callable[..., Any])


def _mark(reason: str) -> Callable[[F], F]:
    def decorate(fn: F) -> F:
        setattr(fn, _MARK, reason)
        return fn

    return decorate


read_only = _mark("reads only: the POST carries input too large or too private for a URL")
"""Mark a POST route that changes nothing (e.g. the portal's receipt check)."""

own_credentials = _mark("manages the caller's own credentials, never a business record")
"""Mark a route through which a principal manages its own API keys (the route still
checks whose keys they are)."""

own_inbox = _mark("changes the caller's own inbox or contact address, never a business record")
"""Mark a route through which a principal marks its own notifications read or sets its
own e-mail address (the route still checks that they are its own)."""


def not_a_write_reason(endpoint: object) -> str | None:
    """Why `endpoint` is not a write, or None when it is an ordinary write."""
    reason = getattr(endpoint, _MARK, None)
    return reason if isinstance(reason, str) else None


def is_write(request: Request) -> bool:
    """True if `request` may change state: any method but GET/HEAD/OPTIONS, unless the
    matched route's function is marked above."""
    if request.method in READING_METHODS:
        return False
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None) or request.scope.get("endpoint")
    return not_a_write_reason(endpoint) is None
