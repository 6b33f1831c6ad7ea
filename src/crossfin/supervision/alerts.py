"""Listing alerts for regulators: each sees its subtree (alerts are raised in parties/alerts.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.parties.access import Caller, require_kind, supervised
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.models import OrgKind


def list_alerts(
    session: Session,
    caller: Caller,
    *,
    after: int = 0,
    limit: int = 100,
    kind: AlertKind | None = None,
    newest_first: bool = False,
) -> list[Alert]:
    """Alerts in the regulator's subtree (head office sees all), oldest first by default."""
    require_kind(caller, OrgKind.REGULATOR)
    query = select(Alert).where(Alert.id > after)
    if kind is not None:
        query = query.where(Alert.kind == kind.value)
    query = query.where(supervised(caller, Alert.jurisdiction_path))
    order = Alert.id.desc() if newest_first else Alert.id
    return list(session.scalars(query.order_by(order).limit(limit)))
