"""Raising and listing alerts; each alert is a ledger event visible to the regulators over it."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.uow import UnitOfWork
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.parties.access import Caller, ROOT_PATH, require_kind
from crossfin.parties.models import OrgKind
from crossfin.supervision.models import Alert


class AlertKind(StrEnum):
    DUPLICATE_FINANCING = "duplicate-financing"
    OVER_FINANCING = "over-financing"
    VALUE_BELOW_USES = "value-below-uses"
    VERIFICATION_MISMATCHES = "verification-mismatches"
    MANY_BANKS = "document-tried-at-many-banks"
    OVERDUE = "overdue"


def raise_alert(
    uow: UnitOfWork, kind: AlertKind, *, subject_org_id: int | None,
    jurisdiction_path: str | None, details: dict[str, Any],
    actor_org_id: int | None = None, document_id: int | None = None,
) -> tuple[Alert, Receipt]:
    """Store an alert and its ledger event in the caller's transaction."""
    alert = Alert(kind=kind.value, subject_org_id=subject_org_id, actor_org_id=actor_org_id,
                  document_id=document_id, jurisdiction_path=jurisdiction_path,
                  details=json.dumps(details, sort_keys=True, default=str), status="open",
                  created_at=utcnow())
    uow.session.add(alert)
    uow.session.flush()
    parties = {p for p in (subject_org_id,) if p is not None}
    receipt = uow.record(EventType.ALERT_RAISED, subjects={"alert": alert.id},
                         content={"kind": kind.value, "details": details,
                                  "document": document_id}, parties=parties)
    return alert, receipt


def list_alerts(session: Session, caller: Caller, *, after: int = 0, limit: int = 100,
                kind: AlertKind | None = None, newest_first: bool = False) -> list[Alert]:
    """Alerts in the regulator's subtree (head office sees all), oldest first by default."""
    require_kind(caller, OrgKind.REGULATOR)
    query = select(Alert).where(Alert.id > after)
    if kind is not None:
        query = query.where(Alert.kind == kind.value)
    if caller.jurisdiction_path != ROOT_PATH:
        query = query.where(Alert.jurisdiction_path.startswith(caller.jurisdiction_path or "-"))
    order = Alert.id.desc() if newest_first else Alert.id
    return list(session.scalars(query.order_by(order).limit(limit)))
