"""Portal pages of supervision: the alerts of a regulator's subtree, one alert explained."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, invalid
from crossfin.core.http.deps import database_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import READ_ONLY_ROLES
from crossfin.parties.alert_rules import rule_for
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names
from crossfin.supervision.alerts import list_alerts
from crossfin.supervision.casework import service as cases
from crossfin.supervision.links import link_of
from crossfin.supervision.schemas import AlertOut

router = APIRouter()
NAV = [
    NavEntry(
        N_("Alerts"),
        "/alerts",
        kinds(OrgKind.REGULATOR),
        order=40,
        description=N_(
            "Duplicate and over-financing attempts, verification "
            "mismatches, overdue loans in your jurisdiction."
        ),
    )
]
PAGE = 200


@router.get("/alerts", summary="Alerts of the regulator's subtree")
def alerts(
    request: Request, caller: PortalCallerDep, uow: PortalReadUow, kind: AlertKind | None = None
) -> Response:
    rows = [
        AlertOut.model_validate(a)
        for a in list_alerts(uow.session, caller, limit=PAGE, kind=kind, newest_first=True)
    ]
    ids = {i for a in rows for i in (a.subject_org_id, a.actor_org_id) if i is not None}
    names = org_names(uow.session, ids)
    return render(
        request,
        "supervision/alerts.html",
        {
            "rows": rows,
            "names": names,
            "kinds": list(AlertKind),
            "kind": kind.value if kind else "",
            "page": PAGE,
            # The rule of each kind that applies at the regulator's own node.
            "rules": [rule_for(uow.session, k, caller.jurisdiction_path) for k in AlertKind],
        },
    )


def portal_records(alert: Alert) -> list[dict[str, Any]]:
    """The alert's evidence with the portal page of each record (None: no page)."""
    return [r | {"href": link_of(r, api=False)} for r in json.loads(alert.records or "[]")]


def _alert_page(
    request: Request, uow: UnitOfWork, caller: Any, alert_id: int, problem: Any = None
) -> Response:
    alert = cases.visible_alert(uow.session, caller, alert_id)
    out = AlertOut.model_validate(alert)
    names = org_names(uow.session, {i for i in (out.subject_org_id, out.actor_org_id) if i})
    context = {
        "a": out,
        "records": portal_records(alert),
        "names": names,
        "writer": caller.role not in READ_ONLY_ROLES,
        "problem": problem,
        "problem_title": error_title(request, problem.slug) if problem else None,
    }
    return render(
        request, "supervision/alert.html", context, status_code=problem.status if problem else 200
    )


@router.get("/alerts/{alert_id}", summary="One alert: the records that raised it, its rule")
def alert(
    request: Request, alert_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _alert_page(request, uow, caller, alert_id)


@router.post("/alerts/{alert_id}/case", summary="Open a case from the alert, or join one")
def open_case(
    request: Request,
    alert_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    due_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def run(uow: UnitOfWork) -> Any:
        try:
            due = date.fromisoformat(due_date) if due_date else None
        except ValueError:
            raise invalid("due_date", "a date, YYYY-MM-DD") from None
        return cases.open_case(uow, caller, alert_id, due)

    try:
        case, joined, _receipt = run_write(request, caller, run)
    except CrossfinError as exc:
        if exc.status in (403, 404):
            raise
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _alert_page(request, uow, caller, alert_id, problem=exc)
    done = N_("Alert joined the enterprise's open case.") if joined else N_("Case opened.")
    return redirect(request, f"/cases/{case.id}", flash=("success", done))
