"""Portal pages of filings: the list (the filer's drafts and submissions, the regulator's
queue), one filing with its history, issues and the moves open to the caller's side.

Every move posts to a route that calls the same workflow function as the API, in one
transaction; a refusal shows the filing again with the problem and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, NotFound, invalid
from crossfin.core.http.deps import database_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.filings import attachments, page_data, queries, workflow
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.page_data import ACTIONS, AWAITING, OUTCOMES, STATES
from crossfin.filings.pages_sections import sections_for
from crossfin.filings.schemas import CODE, OutcomeIn, SubmitIn
from crossfin.filings.steps import FilingState
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import READ_ONLY_ROLES, Caller
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import orgs_by_id

router = APIRouter()
NAV = [
    NavEntry(
        N_("Filings"),
        "/filings",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.REGULATOR),
        order=45,
        description=N_("Regulatory filings: drafts, submissions, deadlines and reviews."),
    )
]
PAGE = 200


@router.get("/filings", summary="The caller's filings: drafts and submissions, or the queue")
def filing_list(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    state: FilingState | None = None,
    form: Annotated[str | None, Query(max_length=32, pattern=CODE)] = None,
    overdue: bool | None = None,
) -> Response:
    rows = queries.list_filings(
        uow.session, caller, state=state, form=form or None, overdue=overdue, limit=PAGE
    )
    regulator = caller.org_kind is OrgKind.REGULATOR
    first = [r for r in rows if (r.state in AWAITING if regulator else r.state == "drafted")]
    rest = [r for r in rows if r not in first]
    return render(
        request,
        "filings/list.html",
        {
            "regulator": regulator,
            "first": first,
            "rest": rest,
            "filers": orgs_by_id(uow.session, (r.filer_org_id for r in rows)),
            "states": STATES,
            "state": state.value if state else "",
            "form": form or "",
            "forms": sorted({r.form_code for r in rows} | ({form} if form else set())),
            "overdue": "" if overdue is None else ("true" if overdue else "false"),
        },
    )


def _detail_page(
    request: Request, uow: UnitOfWork, caller: Caller, filing_id: int, problem: Any = None
) -> Response:
    session = uow.session
    detail = queries.filing_detail(session, caller, filing_id)
    form = form_in_force(session, detail.form_code, detail.form_version)
    issues = page_data.current_issues(session, detail)
    context = {
        "f": detail,
        "form": form,
        "filer": orgs_by_id(session, [detail.filer_org_id])[detail.filer_org_id],
        "issues": issues,
        "warnings": [i for i in issues if i.severity == "warning"],
        "moves": page_data.moves_for(caller, detail),
        "attach": page_data.can_attach(caller, detail),
        "writer": caller.role not in READ_ONLY_ROLES,
        "leaves": page_data.leaf_indexes(session, [s.event_id for s in detail.steps]),
        "states": STATES,
        "actions": ACTIONS,
        "outcomes": OUTCOMES,
        "sections": sections_for(session, caller, form.system, detail),
        "problem": problem,
        "problem_title": error_title(request, problem.slug) if problem else None,
    }
    status = problem.status if problem else 200
    return render(request, "filings/detail.html", context, status_code=status)


@router.get("/filings/{filing_id:int}", summary="One filing: history, issues, next moves")
def filing_page(
    request: Request, filing_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _detail_page(request, uow, caller, filing_id)


def _write(
    request: Request, caller: Caller, filing_id: int, fn: Callable[[UnitOfWork], Any]
) -> Response:
    """Run one move; a refusal shows the filing again with the problem (nothing changed).
    404 and 403 are the portal's error pages, as for a filing one does not read."""
    try:
        run_write(request, caller, fn)
    except CrossfinError as exc:
        if exc.status in (403, 404):
            raise
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _detail_page(request, uow, caller, filing_id, problem=exc)
    return redirect(request, f"/filings/{filing_id}", flash=("success", page_data.DONE))


@router.get(
    "/filings/{filing_id:int}/attachments/{attachment_id:int}",
    summary="One attachment's bytes, for readers of the filing",
)
def attachment_file(
    filing_id: PathId, attachment_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    found = attachments.attachment_of(uow.session, caller, filing_id, attachment_id)
    headers = {
        "X-Content-SHA256": found.sha256,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name, safe='')}",
    }
    return Response(found.data, media_type=found.media_type, headers=headers)


@router.post("/filings/{filing_id:int}/attachments", summary="Attach a file (filer)")
async def attach(
    request: Request,
    filing_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = await file.read()
    name, media = file.filename or "", file.content_type or ""

    def run(uow: UnitOfWork) -> Any:
        return attachments.attach(uow, caller, filing_id, name, media, data)

    # The database work runs off the event loop, as a sync route's would.
    return await run_in_threadpool(_write, request, caller, filing_id, run)


@router.post("/filings/{filing_id:int}/{action}", summary="One workflow move, by its name")
async def move(
    request: Request, filing_id: PathId, action: str, caller: PortalCallerDep, _: CsrfDep
) -> Response:
    form = await request.form()
    text = {k: str(v)[:4000] for k, v in form.items() if isinstance(v, str)}
    explained = page_data.explanations_of(form)

    def run(uow: UnitOfWork) -> Any:
        # Inside the transaction's try: a bad field shows in the page like any refusal.
        return _step(action, text, explained)(uow, caller, filing_id)

    return await run_in_threadpool(_write, request, caller, filing_id, run)


Step = Callable[[UnitOfWork, Caller, int], Any]


def _step(action: str, text: dict[str, str], explanations: dict[str, str]) -> Step:
    """The workflow function of `action` with the form's fields (404 for no such move)."""
    note = text.get("note", "").strip() or None
    if action in ("submit", "resubmit"):
        data = SubmitIn(explanations=explanations)
        fn = workflow.submit if action == "submit" else workflow.resubmit
        return lambda u, c, i: fn(u, c, i, data)
    if action in ("decide", "close"):
        data_out = _outcome(text)
        fn_out = workflow.decide if action == "decide" else workflow.close
        return lambda u, c, i: fn_out(u, c, i, data_out)
    simple: dict[str, Step] = {
        "accept": workflow.accept,
        "return": lambda u, c, i: workflow.return_for_supplement(u, c, i, _reason(text)),
        "review": lambda u, c, i: workflow.review(u, c, i, note),
        "withdraw": lambda u, c, i: workflow.withdraw(u, c, i, note),
    }
    if action not in simple:
        raise NotFound(f"no move {action}")
    return simple[action]


def _outcome(text: dict[str, str]) -> OutcomeIn:
    outcome = text.get("outcome", "")
    if outcome not in OUTCOMES:
        raise invalid("outcome", "choose an outcome")
    return OutcomeIn(outcome=outcome, reasons=text.get("reasons") or None)


def _reason(text: dict[str, str]) -> str:
    reason = text.get("reason", "").strip()
    if not reason:
        raise invalid("reason", "say what the filer must supply")
    return reason
