"""Operator alerts from security events: a threshold per kind, one open alert per kind.

An event of a kind that has an open alert is counted into it (its count and last time), so
a flood of events makes one alert, not a flood. Without an open alert, the kind's events in
the last `WINDOW` (and since its last acknowledged alert) are counted; at its threshold an
alert opens. Once the operator acknowledges it, the next events past the threshold open a
new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import insert_for
from crossfin.core.errors import Forbidden, IllegalTransition, NotFound
from crossfin.core.security import SecurityKind
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind
from crossfin.parties.security.models import SecurityAlert, SecurityEventRow

WINDOW = timedelta(minutes=15)
# Events of a kind within WINDOW that open an alert. One is enough where a single event
# already needs a look (a revoked key still in use, a failed audit); more where a few are
# everyday mistakes (a mistyped password, an unknown key from a misconfigured client).
THRESHOLDS: dict[SecurityKind, int] = {
    SecurityKind.LOGIN_FAILED: 20,
    SecurityKind.LOGIN_THROTTLED: 1,
    SecurityKind.KEY_UNKNOWN: 20,
    SecurityKind.KEY_REVOKED: 1,
    SecurityKind.FORBIDDEN_BURST: 1,
    SecurityKind.NOT_FOUND_BURST: 1,
    SecurityKind.BODY_TOO_LARGE: 5,
    SecurityKind.BODY_MALFORMED: 20,
    SecurityKind.WITNESS_REFUSED: 1,
    SecurityKind.AUDIT_FAILED: 1,
    SecurityKind.CHECKPOINT_SIGN_FAILED: 1,
    SecurityKind.RATE_LIMITED: 1,
}
OPEN, ACKNOWLEDGED = "open", "acknowledged"


def count_into_alert(session: Session, kind: SecurityKind, now: datetime, detail: str) -> None:
    """Count a just-stored event into its kind's open alert, or open one at the threshold."""
    counted = session.execute(
        update(SecurityAlert)
        .where(SecurityAlert.open_kind == kind.value)
        .values(events=SecurityAlert.events + 1, last_at=now, detail=detail)
    )
    if getattr(counted, "rowcount", 0):  # a CursorResult for DML
        return
    # Events the operator has acknowledged (an alert closed since) count no more.
    acknowledged = session.scalar(
        select(func.max(SecurityAlert.acknowledged_at)).where(SecurityAlert.kind == kind.value)
    )
    since = max(now - WINDOW, acknowledged) if acknowledged else now - WINDOW
    recent = session.scalar(
        select(func.count())
        .select_from(SecurityEventRow)
        .where(SecurityEventRow.kind == kind.value, SecurityEventRow.at > since)
    )
    if (recent or 0) < THRESHOLDS[kind]:
        return
    # Another worker may open it at the same moment: then this event is counted into that.
    opening = insert_for(session)(SecurityAlert).values(
        kind=kind.value,
        open_kind=kind.value,
        events=recent,
        first_at=now,
        last_at=now,
        detail=detail,
        status=OPEN,
    )
    session.execute(
        opening.on_conflict_do_update(
            index_elements=[SecurityAlert.open_kind],
            set_={"events": SecurityAlert.events + 1, "last_at": now, "detail": detail},
        )
    )


def require_operator(caller: Caller) -> None:
    """Security monitoring is the platform operator's alone (403 for everyone else)."""
    if caller.org_kind is not OrgKind.OPERATOR:
        raise Forbidden("only the platform operator sees security events and alerts")


def list_alerts(
    session: Session, caller: Caller, *, status: str | None = None, after: int = 0, limit: int = 100
) -> list[SecurityAlert]:
    """The operator's alerts by id, after `after` (keyset pages), optionally by status."""
    require_operator(caller)
    query = select(SecurityAlert).where(SecurityAlert.id > after)
    if status is not None:
        query = query.where(SecurityAlert.status == status)
    return list(session.scalars(query.order_by(SecurityAlert.id).limit(limit)))


def open_alerts(session: Session, caller: Caller) -> list[SecurityAlert]:
    """The open alerts (at most one per kind), the most recently active first."""
    require_operator(caller)
    query = select(SecurityAlert).where(SecurityAlert.status == OPEN)
    return list(session.scalars(query.order_by(SecurityAlert.last_at.desc())))


def acknowledge(session: Session, caller: Caller, alert_id: int) -> SecurityAlert:
    """The operator has seen to an alert: it closes, and new events may open another.

    404 for anyone but the operator, as for an alert that does not exist."""
    alert = session.get(SecurityAlert, alert_id)
    if alert is None or caller.org_kind is not OrgKind.OPERATOR:
        raise NotFound(f"no security alert {alert_id}")
    if alert.status != OPEN:
        raise IllegalTransition(f"security alert {alert_id} is already acknowledged")
    alert.status, alert.open_kind = ACKNOWLEDGED, None
    alert.acknowledged_by, alert.acknowledged_at = caller.principal_id, utcnow()
    session.flush()
    return alert
