"""What security monitoring recorded: events and operator alerts, read from the tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.parties.security.models import SecurityAlert, SecurityEventRow


def events(db: Database, kind: str | None = None) -> list[SecurityEventRow]:
    """Every recorded event (of `kind`), oldest first."""
    query = select(SecurityEventRow).order_by(SecurityEventRow.id)
    if kind is not None:
        query = query.where(SecurityEventRow.kind == kind)
    with db.session(readonly=True) as session:
        return list(session.scalars(query))


def alerts(db: Database, kind: str | None = None) -> list[SecurityAlert]:
    query = select(SecurityAlert).order_by(SecurityAlert.id)
    if kind is not None:
        query = query.where(SecurityAlert.kind == kind)
    with db.session(readonly=True) as session:
        return list(session.scalars(query))


def row_text(row: Any) -> str:
    """Every column of a row as one string, to look for what must never be stored."""
    return " ".join(str(getattr(row, c.key)) for c in row.__table__.columns)
