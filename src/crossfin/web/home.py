"""The home page: the organization, who is logged in, and what its kind can do here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import entries_for
from crossfin.core.web.render import render
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow
from crossfin.web.home_data import home_data

router = APIRouter()

# What each kind of party does on the platform (DOMAIN.md section 2 and 5), translated on
# the page; the pages behind them come from the nav registry as the domains add them.
_AMEND = N_("Correct a document with a new version; both stay on record")
CAPABILITIES: dict[OrgKind, tuple[str, ...]] = {
    OrgKind.ENTERPRISE: (
        N_(
            "See the documents the sources hold about you: declarations, invoices, policies, "
            "bills of lading"
        ),
        N_("Grant and revoke banks' time-limited access to your credit profile"),
        N_("Publish financing needs, compare banks' offers and follow your loans"),
        N_("See every verification and credit query about you"),
    ),
    OrgKind.BANK: (
        N_("Verify documents online, in bulk, and see each one's remaining financeable balance"),
        N_("Register, approve, disburse and close receivables, policy and logistics financings"),
        N_("See needs from enterprises in your area and make offers"),
        N_("Query a firm's credit profile with its consent"),
    ),
    OrgKind.REGULATOR: (
        N_("Read the documents, verifications and financings of your jurisdiction"),
        N_("Classify enterprises A, B or C"),
        N_("Follow alerts: duplicate or excessive financing, overdue loans"),
    ),
    OrgKind.CUSTOMS: (N_("Publish signed export and import declarations"), _AMEND),
    OrgKind.TAX: (
        N_("Publish VAT invoices, including freight invoices"),
        N_("Publish service-trade payment tax filings"),
        _AMEND,
    ),
    OrgKind.INSURER: (
        N_("Publish credit-insurance policies and buyer credit limits"),
        N_("See the financings made against your policies"),
    ),
    OrgKind.LOGISTICS: (
        N_("Publish bills of lading and their endorsements"),
        N_("Publish warehouse receipts and release pledges"),
        N_("Publish vessel and container events (DCSA Track and Trace)"),
    ),
    OrgKind.OVERSEAS_CUSTOMS: (N_("Publish declarations lodged with foreign customs"),),
    OrgKind.OPERATOR: (
        N_("Onboard organizations and their users"),
        N_("Manage API keys and service accounts"),
        N_("Run the verifiable log and its witnesses"),
    ),
}


@router.get("/", summary="Home page of the logged-in party")
def home(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    data = home_data(uow.session, caller)
    visible = entries_for(request.app.state.portal.nav, caller)
    cards = [e for e in visible if e.description and e.href != "/"]
    return render(
        request,
        "portal/home.html",
        {
            "data": data,
            "org": data.org,
            "kind": caller.org_kind.value,
            "capabilities": CAPABILITIES[caller.org_kind],
            "cards": cards,
        },
    )
