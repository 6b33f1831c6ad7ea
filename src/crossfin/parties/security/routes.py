"""HTTP routes of security monitoring: the platform operator's events and alerts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from crossfin.core.http.params import After, PathId
from crossfin.core.security import SecurityKind
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult
from crossfin.parties.security import alerts, queries
from crossfin.parties.security.schemas import (
    SecurityAlertOut,
    SecurityAlertPage,
    SecurityEventOut,
    SecurityEventPage,
)

router = APIRouter(prefix="/v1/security", tags=["security"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get(
    "/events",
    response_model=SecurityEventPage,
    summary="Security events, oldest first (the platform operator only)",
    responses={403: {"description": "Only the platform operator reads security events"}},
)
def events(
    caller: CallerDep,
    uow: ReadUow,
    kind: SecurityKind | None = None,
    after: After = 0,
    limit: Limit = 100,
) -> SecurityEventPage:
    rows = queries.list_events(uow.session, caller, kind=kind, after=after, limit=limit)
    items = [SecurityEventOut.model_validate(r) for r in rows]
    return SecurityEventPage(items=items, next_after=items[-1].id if len(items) == limit else None)


@router.get(
    "/alerts",
    response_model=SecurityAlertPage,
    summary="Security alerts raised to the operator, oldest first (the operator only)",
    responses={403: {"description": "Only the platform operator reads security alerts"}},
)
def list_alerts(
    caller: CallerDep,
    uow: ReadUow,
    status: Literal["open", "acknowledged"] | None = None,
    after: After = 0,
    limit: Limit = 100,
) -> SecurityAlertPage:
    rows = alerts.list_alerts(uow.session, caller, status=status, after=after, limit=limit)
    items = [SecurityAlertOut.model_validate(r) for r in rows]
    return SecurityAlertPage(items=items, next_after=items[-1].id if len(items) == limit else None)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=SecurityAlertOut,
    summary="Acknowledge an open security alert (the operator; not its auditors)",
)
def acknowledge(alert_id: PathId, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        alert = alerts.acknowledge(uow.session, caller, alert_id)
        return SecurityAlertOut.model_validate(alert), None

    return write(run, status=200)
