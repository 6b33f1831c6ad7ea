"""Portal page of security monitoring: the platform operator's alerts, chart and events."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossfin.core.clock import utcnow
from crossfin.core.http.params import PathId
from crossfin.core.security import SecurityKind
from crossfin.core.web.chart import series_chart
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import redirect, render
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.security import alerts, queries
from crossfin.parties.security.schemas import SecurityAlertOut, SecurityEventOut

router = APIRouter()
NAV = [
    NavEntry(
        N_("Security"),
        "/security",
        kinds(OrgKind.OPERATOR),
        order=45,
        description=N_(
            "Security alerts and events: failed logins, refused keys, rate limits, "
            "witness and audit failures."
        ),
    )
]
PAGE = 100
HOURS = 24


@router.get("/security", summary="Security alerts, events per kind and the latest events")
def security(
    request: Request, caller: PortalCallerDep, uow: PortalReadUow, kind: SecurityKind | None = None
) -> Response:
    open_now = [SecurityAlertOut.model_validate(a) for a in alerts.open_alerts(uow.session, caller)]
    since = utcnow() - timedelta(hours=HOURS - 1)
    buckets, counts = queries.hourly_counts(uow.session, caller, since, HOURS)
    rows = queries.list_events(uow.session, caller, kind=kind, limit=PAGE, newest_first=True)
    return render(
        request,
        "security/security.html",
        {
            "alerts": open_now,
            "chart": series_chart(buckets, counts),
            "events": [SecurityEventOut.model_validate(r) for r in rows],
            "kinds": list(SecurityKind),
            "kind": kind.value if kind else "",
            "page": PAGE,
            "hours": HOURS,
        },
    )


@router.post("/security/alerts/{alert_id}/acknowledge", summary="Acknowledge a security alert")
def acknowledge(
    request: Request, alert_id: PathId, caller: PortalCallerDep, _: CsrfDep
) -> Response:
    run_write(request, caller, lambda uow: alerts.acknowledge(uow.session, caller, alert_id))
    return redirect(request, "/security", flash=("success", N_("Alert acknowledged.")))
