"""The home page: the organization, who is logged in, and what its kind can do here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossfin.core.web.nav import entries_for
from crossfin.core.web.render import render
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow
from crossfin.web.home_data import home_data

router = APIRouter()

# What each kind of party does on the platform (DOMAIN.md section 2 and 5), as i18n keys;
# the pages behind them come from the nav registry as the domains add them.
CAPABILITIES: dict[OrgKind, tuple[str, ...]] = {
    OrgKind.ENTERPRISE: ("cap.enterprise.documents", "cap.enterprise.consent",
                         "cap.enterprise.financing", "cap.enterprise.transparency"),
    OrgKind.BANK: ("cap.bank.verify", "cap.bank.financing", "cap.bank.matchmaking",
                   "cap.bank.credit"),
    OrgKind.REGULATOR: ("cap.regulator.documents", "cap.regulator.classes",
                        "cap.regulator.alerts"),
    OrgKind.CUSTOMS: ("cap.customs.declarations", "cap.source.amend"),
    OrgKind.TAX: ("cap.tax.invoices", "cap.tax.filings", "cap.source.amend"),
    OrgKind.INSURER: ("cap.insurer.policies", "cap.insurer.financings"),
    OrgKind.LOGISTICS: ("cap.logistics.bills", "cap.logistics.receipts"),
    OrgKind.OPERATOR: ("cap.operator.onboard", "cap.operator.keys", "cap.operator.log"),
}


@router.get("/", summary="Home page of the logged-in party")
def home(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    data = home_data(uow.session, caller)
    visible = entries_for(request.app.state.portal.nav, caller)
    cards = [e for e in visible if e.description and e.href != "/"]
    return render(request, "portal/home.html", {
        "data": data, "org": data.org, "kind": caller.org_kind.value,
        "capabilities": CAPABILITIES[caller.org_kind], "cards": cards,
    })
