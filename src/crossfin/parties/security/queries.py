"""Reading security events for the operator: pages of events, and counts per kind and hour."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.security import SecurityKind
from crossfin.parties.access import Caller
from crossfin.parties.security.alerts import require_operator
from crossfin.parties.security.models import SecurityEventRow

HOUR = timedelta(hours=1)


def list_events(
    session: Session,
    caller: Caller,
    *,
    kind: SecurityKind | None = None,
    after: int = 0,
    limit: int = 100,
    newest_first: bool = False,
) -> list[SecurityEventRow]:
    """Events by id after `after` (keyset pages), or the newest `limit` of them."""
    require_operator(caller)
    query = select(SecurityEventRow).where(SecurityEventRow.id > after)
    if kind is not None:
        query = query.where(SecurityEventRow.kind == kind.value)
    order = SecurityEventRow.id.desc() if newest_first else SecurityEventRow.id
    return list(session.scalars(query.order_by(order).limit(limit)))


def _hour_of(session: Session) -> Any:
    """An SQL expression: the UTC hour an event fell in, as 'YYYY-MM-DD HH' text."""
    at = SecurityEventRow.at
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", at), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", at)  # SQLite keeps UTC text


def hourly_counts(
    session: Session, caller: Caller, since: datetime, hours: int
) -> tuple[list[datetime], dict[str, list[int]]]:
    """Events per kind in each of `hours` whole UTC hours from `since` (its hour)."""
    require_operator(caller)
    start = since.replace(minute=0, second=0, microsecond=0)
    hour = _hour_of(session)
    rows = session.execute(
        select(SecurityEventRow.kind, hour, func.count())
        .where(SecurityEventRow.at >= start, SecurityEventRow.at < start + hours * HOUR)
        .group_by(SecurityEventRow.kind, hour)
    )
    buckets = [start + i * HOUR for i in range(hours)]
    index = {b.strftime("%Y-%m-%d %H"): i for i, b in enumerate(buckets)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * hours)
    for kind, label, count in rows:
        if label in index:
            series[kind][index[label]] = count
    return buckets, dict(series)


def totals(session: Session) -> dict[str, int]:
    """Every kind's number of recorded events (for /metrics; not a caller's read)."""
    found = dict(
        session.execute(
            select(SecurityEventRow.kind, func.count()).group_by(SecurityEventRow.kind)
        ).all()
    )
    return {kind.value: int(found.get(kind.value, 0)) for kind in SecurityKind}
