"""Portal page of supervision: the alerts of a regulator's subtree."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import render
from crossfin.parties.alerts import AlertKind
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow
from crossfin.parties.service import org_names
from crossfin.supervision.alerts import list_alerts
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
        },
    )
