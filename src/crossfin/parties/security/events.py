"""Recording security events: one function every source calls, and the alerts they raise.

Each event is a row of its own, written in a short transaction of its own: the request
that caused it is usually refused, and a refused request changes nothing else, so the
record cannot share its transaction. Callers on an event loop run this in a thread.

A flood of refused requests (unknown keys sprayed from one address, say) must not turn
each one into a write: for the kinds anyone can cause at will (`GATED`), each worker stores
at most `PER_SECOND` events a second of one kind from one address, counts the others, and
adds their number to the next one it stores (`"suppressed": n` in its detail). The other
kinds are rare by construction (one per burst, per window, per checkpointer run, per
login whose password was checked, which is slow on purpose).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.security import SecurityEvent, SecurityKind
from crossfin.parties.models import Principal
from crossfin.parties.security.alerts import count_into_alert
from crossfin.parties.security.models import SecurityEventRow

MAX_DETAIL = 2000  # characters of JSON; an event's detail is a summary, never a payload
PER_SECOND = 10
_MAX_SOURCES = 10_000
GATED = frozenset(
    {
        SecurityKind.LOGIN_THROTTLED,  # refused before the password's (slow) check
        SecurityKind.KEY_UNKNOWN,
        SecurityKind.KEY_REVOKED,
        SecurityKind.BODY_TOO_LARGE,
        SecurityKind.BODY_MALFORMED,
    }
)


class FloodGate:
    """Per worker: which events of a flood are stored, and how many were left out."""

    def __init__(
        self, per_second: int = PER_SECOND, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second, self.clock = per_second, clock
        self._seen: dict[tuple[str, str | None], list[int]] = {}  # second, stored, left out
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget every count (when the events table is emptied: tests)."""
        with self._lock:
            self._seen.clear()

    def admit(self, event: SecurityEvent) -> SecurityEvent | None:
        """The event to store (with the number left out before it), or None to leave out."""
        if event.kind not in GATED:
            return event
        second = int(self.clock())
        with self._lock:
            if len(self._seen) > _MAX_SOURCES:
                self._seen = {k: v for k, v in self._seen.items() if v[0] == second}
            seen = self._seen.setdefault((event.kind.value, event.address), [second, 0, 0])
            if seen[0] != second:
                seen[0], seen[1] = second, 0
            if seen[1] >= self.per_second:
                seen[2] += 1
                return None
            seen[1], left_out, seen[2] = seen[1] + 1, seen[2], 0
        if not left_out:
            return event
        return replace(event, detail={**event.detail, "suppressed": left_out})


GATE = FloodGate()


def note_security_event(
    db: Database,
    kind: SecurityKind,
    *,
    address: str | None = None,
    principal_id: int | None = None,
    key_id: str | None = None,
    route: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Store one event and count it towards its kind's operator alert, in one transaction."""
    record(db, SecurityEvent(kind, address, principal_id, key_id, route, dict(detail or {})))


def record(db: Database, event: SecurityEvent) -> None:
    """The recorder `core.security.report` calls (installed by `crossfin.parties`)."""
    admitted = GATE.admit(event)
    if admitted is None:
        return
    with db.session() as session, session.begin():
        store(session, admitted)


def store(session: Session, event: SecurityEvent) -> SecurityEventRow:
    now = utcnow()
    text = json.dumps(dict(event.detail), sort_keys=True, default=str)
    if len(text) > MAX_DETAIL:
        text = json.dumps({"truncated": text[: MAX_DETAIL - 40]})
    row = SecurityEventRow(
        kind=event.kind.value,
        at=now,
        address=(event.address or None) and event.address[:64],
        principal_id=event.principal_id,
        key_id=event.key_id,
        route=(event.route or None) and event.route[:200],
        detail=text,
    )
    session.add(row)
    session.flush()
    count_into_alert(session, event.kind, now, text)
    return row


def note_login_event(
    db: Database, kind: SecurityKind, username: str, address: str | None, **detail: Any
) -> None:
    """A failed or throttled portal login: the user's id when the name is a user's, never
    the name typed (it may be a password typed in the wrong field)."""
    admitted = GATE.admit(SecurityEvent(kind, address, None, None, "/login", detail))
    if admitted is None:
        return
    with db.session() as session, session.begin():
        principal_id = session.scalar(
            select(Principal.id).where(Principal.username == username.strip())
        )
        found = {**admitted.detail, "known_user": principal_id is not None}
        store(session, replace(admitted, principal_id=principal_id, detail=found))
