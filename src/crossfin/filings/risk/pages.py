"""Portal pages of FX risk reports (bilingual): a bank drafts one, its head office files
branch drafts or sends them back, regulators read the reports they receive (hashes and
last four only) with their links. The generic detail and workflow buttons live at
/filings/{id}; these pages call the same use cases as the API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.errors import CrossfinError
from crossfin.core.http.deps import settings_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.filings import drafting, drafts, queries, workflow
from crossfin.filings.risk import form, report
from crossfin.filings.risk.codes import Category, Channel, IdType, LinkKind
from crossfin.filings.schemas import FilingIn, SubmitIn
from crossfin.filings.steps import FilingState
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import READ_ONLY_ROLES, Caller, require_kind
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names

router = APIRouter()
NAV = [
    NavEntry(
        N_("Risk reports"),
        "/filings/risk",
        kinds(OrgKind.BANK, OrgKind.REGULATOR),
        order=45,
        description=N_("FX risk transaction reports: drafted by branches, filed by head offices."),
    )
]
PAGE = 200


def _is_filer(caller: Caller) -> bool:
    return caller.org_kind is OrgKind.BANK and caller.role not in READ_ONLY_ROLES


@router.get("/filings/risk", summary="Risk reports the caller reads; branch drafts to file")
def report_list(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    rows = queries.list_filings(uow.session, caller, form=form.RISK_FORM, limit=PAGE)
    to_file = [
        r
        for r in rows
        if r.state == FilingState.DRAFTED.value
        and r.chain_org_id == caller.org_id
        and r.filer_org_id != caller.org_id
    ]
    others = [r for r in rows if r not in to_file]
    names = org_names(uow.session, {r.filer_org_id for r in rows})
    context = {"to_file": to_file, "rows": others, "filers": names, "can_draft": _is_filer(caller)}
    return render(request, "filings/risk/list.html", context)


def _form_page(
    request: Request, fields: dict[str, Any], problem: CrossfinError | None = None
) -> Response:
    context = {
        "fields": fields,
        "categories": list(Category),
        "channels": list(Channel),
        "id_types": list(IdType),
        "link_kinds": list(LinkKind),
        "subject_rows": range(form.SUBJECT_ROWS),
        "tx_rows": range(form.TRANSACTION_ROWS),
        "link_rows": range(form.LINK_ROWS),
        "problem": problem,
        "problem_title": error_title(request, problem.slug) if problem else None,
        "errors": problem.extra.get("errors", []) if problem else [],
    }
    return render(
        request, "filings/risk/new.html", context, status_code=problem.status if problem else 200
    )


@router.get("/filings/risk/new", summary="The form to draft a risk report (banks)")
def new_report(request: Request, caller: PortalCallerDep) -> Response:
    require_kind(caller, OrgKind.BANK)
    return _form_page(request, {"discovered_on": business_date().isoformat()})


@router.post("/filings/risk/new", summary="Draft a risk report (banks)")
async def create_report(request: Request, caller: PortalCallerDep, _: CsrfDep) -> Response:
    fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    data = FilingIn(form=form.RISK_FORM, content=form.report_of(fields))
    settings = settings_of(request)

    def run(uow: UnitOfWork) -> int:
        filing, _receipt = drafting.create_filing(uow, caller, data, settings)
        return filing.id

    try:
        filing_id = run_write(request, caller, run)
    except CrossfinError as exc:
        # Never echo an ID number back into the page: the bank types it again.
        kept = {k: v for k, v in fields.items() if not k.startswith("subject_id_number_")}
        return _form_page(request, kept, exc)
    return redirect(
        request, f"/filings/risk/{filing_id}", flash=("success", N_("Risk report drafted."))
    )


@router.get(
    "/filings/risk/{filing_id}", summary="One risk report: content, links, head office's actions"
)
def report_page(
    request: Request, filing_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    view = report.risk_report(uow.session, caller, filing_id)
    detail = queries.filing_detail(uow.session, caller, filing_id)
    filing = view.filing
    head_office_turn = (
        filing.state == FilingState.DRAFTED.value
        and caller.org_id == filing.chain_org_id
        and _is_filer(caller)
    )
    context = {
        "filing": detail,
        "report": view.stored,
        "meta": view.meta,
        "links": report.links_of(view.stored),
        "can_file": head_office_turn,
        "can_send_back": head_office_turn and filing.filer_org_id != filing.chain_org_id,
        "sent_back": [s for s in detail.steps if s.action == "send-back"],
    }
    return render(request, "filings/risk/report.html", context)


@router.post("/filings/risk/{filing_id}/file", summary="File a branch's draft (its head office)")
def file_report(
    request: Request, filing_id: PathId, caller: PortalCallerDep, _: CsrfDep
) -> Response:
    settings = settings_of(request)
    run_write(
        request, caller, lambda uow: workflow.submit(uow, caller, filing_id, SubmitIn(), settings)
    )
    return redirect(
        request, f"/filings/risk/{filing_id}", flash=("success", N_("Risk report filed."))
    )


@router.post("/filings/risk/{filing_id}/send-back", summary="Send a draft back to the branch")
def send_back(
    request: Request,
    filing_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    run_write(request, caller, lambda uow: drafts.send_back(uow, caller, filing_id, note))
    flash = ("success", N_("Sent back to the branch."))
    return redirect(request, f"/filings/risk/{filing_id}", flash=flash)
