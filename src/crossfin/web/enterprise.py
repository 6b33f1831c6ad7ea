"""The enterprise page: one enterprise for its regulators (and for itself), from the same
use case as `GET /v1/enterprises/{id}/overview` (enterprise_data.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossfin.core.http.params import PathId
from crossfin.core.web.render import render
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow
from crossfin.web.enterprise_data import enterprise_overview

router = APIRouter()


@router.get("/enterprises/{org_id}", summary="One enterprise (its regulators; itself)")
def enterprise(
    request: Request, org_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    data = enterprise_overview(uow.session, caller, org_id)
    return render(request, "enterprises/detail.html", {"e": data, "who": data.identity})
