"""The enterprise page as JSON: the same use case as the portal's `/enterprises/{id}`
(web/enterprise_data.py), for a regulator's systems and the enterprise's own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crossfin.core.http.params import PathId
from crossfin.parties.http import CallerDep, ReadUow
from crossfin.web.enterprise_data import EnterpriseOverview, enterprise_overview

router = APIRouter(prefix="/v1", tags=["supervision"])
_WHO: dict[int | str, dict[str, Any]] = {
    403: {"description": "Neither a regulator nor the enterprise itself"},
    404: {"description": "No enterprise in the regulator's subtree (as for none at all)"},
}


@router.get(
    "/enterprises/{org_id}/overview",
    response_model=EnterpriseOverview,
    responses=_WHO,
    summary="One enterprise: identity, classes, documents, financings, payments, "
    "alerts and cases, consents (its regulators; itself)",
)
def overview(org_id: PathId, caller: CallerDep, uow: ReadUow) -> EnterpriseOverview:
    return enterprise_overview(uow.session, caller, org_id)
