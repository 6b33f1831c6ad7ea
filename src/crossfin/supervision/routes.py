"""HTTP routes of supervision: the alerts of a regulator's subtree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crossfin.core.http.params import After
from crossfin.parties.alerts import AlertKind
from crossfin.parties.http import ReplicaCallerDep, ReplicaUow
from crossfin.supervision.alerts import list_alerts
from crossfin.supervision.schemas import AlertOut, AlertPage

router = APIRouter(prefix="/v1", tags=["supervision"])


@router.get(
    "/alerts",
    response_model=AlertPage,
    summary="Alerts in the regulator's jurisdiction subtree (head office: all), oldest first",
    responses={403: {"description": "Only regulators read alerts"}},
)
def alerts(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    kind: AlertKind | None = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlertPage:
    rows = list_alerts(uow.session, caller, after=after, limit=limit, kind=kind)
    items = [AlertOut.model_validate(r) for r in rows]
    return AlertPage(items=items, next_after=items[-1].id if len(items) == limit else None)
