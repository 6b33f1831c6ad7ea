"""Portal pages of licensing: applicants apply, attach each material, submit, follow both
clocks, withdraw and download the decision; covering regulators accept, ask for a
supplement, reject, extend and decide; anyone searches the public register and checks a
verification code without logging in. The same use cases as the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, NotFound, invalid
from crossfin.core.http.deps import SettingsDep, database_of, request_session
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.filings import attachments, drafting, workflow
from crossfin.filings.licences import register, service
from crossfin.filings.licences.decision import decision_pdf
from crossfin.filings.licences.routes import pdf_response
from crossfin.filings.licences.schemas import ExtendIn
from crossfin.filings.schemas import FilingIn, OutcomeIn, SubmitIn
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import READ_ONLY_ROLES, Caller, supervises
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write

router = APIRouter()
NAV = [
    NavEntry(
        N_("Licences"),
        "/licences",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.REGULATOR),
        order=46,
        description=N_("Apply for an FX licence, or accept, review and decide applications."),
    ),
    NavEntry(N_("Licence register"), "/licences/register", order=47),
]
STATES = {
    "drafted": N_("Draft"),
    "submitted": N_("Awaiting acceptance"),
    "returned": N_("Supplement requested"),
    "resubmitted": N_("Supplement received"),
    "accepted": N_("Accepted"),
    "under_review": N_("Under review"),
    "decided": N_("Decided"),
    "closed": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
OUTCOMES = {"approved": N_("Approved"), "refused": N_("Refused"), "rejected": N_("Rejected")}
MAX_UPLOAD = 10 * 1024 * 1024
Text = Annotated[str, Form(max_length=4000)]
PublicSession = Annotated[Session, Depends(request_session)]


@router.get("/licences/register", summary="The public register of licence decisions")
def register_page(
    request: Request, session: PublicSession, q: str = "", type: str = ""
) -> Response:
    items, _ = register.search(session, q[:100] or None, type[:32] or None, limit=200)
    types = service.licence_types(session)
    context = {"items": items, "q": q, "type": type, "types": types, "outcomes": OUTCOMES}
    return render(request, "filings/licences/register.html", context)


@router.get("/licences/verify", summary="Check a decision's verification code")
def verify_page(request: Request, session: PublicSession, code: str = "") -> Response:
    found, status = None, 200
    if code:
        try:
            found = register.verify(session, code.strip()[:32])
        except NotFound:
            status = 404
    context = {"code": code, "found": found, "outcomes": OUTCOMES}
    return render(request, "filings/licences/verify.html", context, status_code=status)


@router.get("/licences", summary="Licence applications the caller reads; apply for one")
def list_page(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    rows = service.list_applications(uow.session, caller)
    context = {
        "rows": [service.licence_view(uow.session, caller, f.id) for f in rows],
        "types": service.licence_types(uow.session),
        "applicant": caller.org_kind in (OrgKind.BANK, OrgKind.ENTERPRISE),
        "states": STATES,
    }
    return render(request, "filings/licences/list.html", context)


@router.post("/licences", summary="Apply: a draft application of a licence type")
def apply(
    request: Request,
    caller: PortalCallerDep,
    _: CsrfDep,
    type: Annotated[str, Form(max_length=32)] = "",
    applicant_name: Annotated[str, Form(max_length=200)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
    summary: Text = "",
) -> Response:
    basics = {"applicant_name": applicant_name, "contact": contact, "summary": summary}

    def run(uow: UnitOfWork) -> int:
        if not type:
            raise invalid("type", "choose a licence type")
        data = FilingIn.model_validate({"form": type, "content": basics})
        return drafting.create_filing(uow, caller, data)[0].id

    try:
        filing_id = run_write(request, caller, run)
    except CrossfinError as exc:
        if exc.status == 403:
            raise
        return redirect(request, "/licences", flash=("error", exc.detail or exc.title))
    return redirect(request, f"/licences/{filing_id}", flash=("success", N_("Draft saved.")))


def _detail(
    request: Request, uow: UnitOfWork, caller: Caller, filing_id: int, problem: Any = None
) -> Response:
    view = service.licence_view(uow.session, caller, filing_id)
    filer = caller.org_id in (view.filer_org_id, view.chain_org_id)
    context = {
        "licence": view,
        "states": STATES,
        "outcomes": OUTCOMES,
        "filer": filer,
        "regulator": not filer and supervises(caller, view.jurisdiction_path),
        "writer": caller.role not in READ_ONLY_ROLES,
        "problem": problem,
        "problem_title": error_title(request, problem.slug) if problem else None,
    }
    status = problem.status if problem else 200
    return render(request, "filings/licences/detail.html", context, status_code=status)


@router.get("/licences/{filing_id}", summary="One application: materials, clocks, actions")
def detail_page(
    request: Request, filing_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _detail(request, uow, caller, filing_id)


def _write(
    request: Request, caller: Caller, filing_id: int, fn: Callable[[UnitOfWork], Any], done: str
) -> Response:
    """Run one step; a refusal shows the application again with the problem."""
    try:
        run_write(request, caller, fn)
    except CrossfinError as exc:
        if exc.status in (403, 404):
            raise
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _detail(request, uow, caller, filing_id, problem=exc)
    return redirect(request, f"/licences/{filing_id}", flash=("success", done))


@router.post("/licences/{filing_id}/materials", summary="Attach a file as one material")
async def add_material(
    request: Request,
    filing_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
    material: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    data = await file.read(MAX_UPLOAD + 1)
    name, media = file.filename or "", file.content_type or ""

    def run(uow: UnitOfWork) -> Any:
        return attachments.attach(uow, caller, filing_id, name, media, data, material or None)

    return _write(request, caller, filing_id, run, N_("Material attached."))


@router.post("/licences/{filing_id}/step", summary="Submit, withdraw, accept, ask for more")
def step(
    request: Request,
    filing_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    action: Annotated[str, Form(max_length=16)] = "",
    reason: Text = "",
) -> Response:
    moves: dict[str, Callable[[UnitOfWork], Any]] = {
        "submit": lambda u: workflow.submit(u, caller, filing_id, SubmitIn()),
        "resubmit": lambda u: workflow.resubmit(u, caller, filing_id, SubmitIn()),
        "withdraw": lambda u: workflow.withdraw(u, caller, filing_id, reason or None),
        "accept": lambda u: workflow.accept(u, caller, filing_id),
        "return": lambda u: workflow.return_for_supplement(u, caller, filing_id, reason),
        "reject": lambda u: workflow.close(
            u, caller, filing_id, OutcomeIn(outcome="rejected", reasons=reason)
        ),
    }

    def run(uow: UnitOfWork) -> Any:
        if action not in moves:
            raise invalid("action", f"one of {', '.join(moves)}")
        if action == "return" and not reason.strip():
            raise invalid("reason", "say what to supply")
        return moves[action](uow)

    return _write(request, caller, filing_id, run, N_("Application updated."))


@router.post("/licences/{filing_id}/extend", summary="Extend the decision clock once")
def extend(
    request: Request,
    filing_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    reason: Text = "",
    approver: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def run(uow: UnitOfWork) -> Any:
        if not reason.strip() or not approver.strip():
            raise invalid("approver" if reason.strip() else "reason", "required")
        data = ExtendIn(reason=reason, approver=approver)
        return service.extend(uow, caller, filing_id, data)

    return _write(request, caller, filing_id, run, N_("Decision deadline extended."))


@router.post("/licences/{filing_id}/decide", summary="Decide: approve or refuse, with reasons")
def decide(
    request: Request,
    filing_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reasons: Text = "",
) -> Response:
    def run(uow: UnitOfWork) -> Any:
        if outcome not in ("approved", "refused"):
            raise invalid("outcome", "approve or refuse")
        # Deciding from the portal starts the review if the regulator had not.
        if service.needs_review(uow.session, caller, filing_id):
            workflow.review(uow, caller, filing_id, None)
        return workflow.decide(uow, caller, filing_id, OutcomeIn(outcome=outcome, reasons=reasons))

    return _write(request, caller, filing_id, run, N_("Decision recorded."))


@router.get("/licences/{filing_id}/decision.pdf", summary="Download the decision PDF")
def decision_download(
    filing_id: PathId, caller: PortalCallerDep, uow: PortalReadUow, settings: SettingsDep
) -> Response:
    body = decision_pdf(uow.session, caller, filing_id, settings.witness_quorum)
    return pdf_response(body, filing_id)
