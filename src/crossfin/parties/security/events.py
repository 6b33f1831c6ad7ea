"""Recording security events: one function every source calls, and the alerts they raise.

Each event is a row of its own, written in a short transaction of its own: the request
that caused it is usually refused, and a refused request changes nothing else, so the
record cannot share its transaction. Callers on an event loop run this in a thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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
    with db.session() as session, session.begin():
        store(session, event)


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
    with db.session() as session, session.begin():
        principal_id = session.scalar(
            select(Principal.id).where(Principal.username == username.strip())
        )
        detail["known_user"] = principal_id is not None
        store(session, SecurityEvent(kind, address, principal_id, None, "/login", detail))
