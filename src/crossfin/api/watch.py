"""Watching answers for bursts of 403 and 404 on ids by one caller (a security event).

Runs inside the request context, outside routing: it sees each answer's status and, once
the route has run, the route template and the authenticated caller (`request.state`).
Only refusals on routes that name an id (a path parameter) count, tallied in memory
(`parties/security/bursts.py`); the database is written once per burst, not per refusal.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crossfin.core.security import report
from crossfin.parties.access import Caller
from crossfin.parties.security.bursts import THRESHOLD, WINDOW, DenialTally


class DenialWatch:
    """Counts each caller's 403/404 answers on ids; reports a burst when one completes."""

    def __init__(self, app: ASGIApp, tally: DenialTally) -> None:
        self.app, self.tally = app, tally

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watching)
        if status in (403, 404):
            await self._count(scope, status)

    async def _count(self, scope: Scope, status: int) -> None:
        route = getattr(scope.get("route"), "path", "") or ""
        caller: Any = (scope.get("state") or {}).get("caller")
        if "{" not in route or not isinstance(caller, Caller):
            return
        kind = self.tally.count(caller.principal_id, status)
        if kind is None:
            return
        client = scope.get("client")
        await run_in_threadpool(
            report,
            scope["app"].state.db,
            kind,
            address=client[0] if client else None,
            principal_id=caller.principal_id,
            key_id=caller.key_id,
            route=route,
            detail={"status": status, "answers": THRESHOLD, "within_seconds": WINDOW},
        )
