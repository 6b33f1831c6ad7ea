"""Portal pages of cases: the list with filters, one case with its alerts, history and forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.errors import CrossfinError, invalid
from crossfin.core.http.deps import database_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import READ_ONLY_ROLES, Caller
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names, orgs_by_id
from crossfin.supervision.casework import service as cases
from crossfin.supervision.casework.queries import analysts, case_view, list_cases, principal_names
from crossfin.supervision.casework.service import MOVES, CaseState, Outcome, is_overdue
from crossfin.supervision.pages import portal_records
from crossfin.supervision.schemas import StepOut

router = APIRouter()
NAV = [
    NavEntry(
        N_("Cases"),
        "/cases",
        kinds(OrgKind.REGULATOR),
        order=41,
        description=N_("Alerts worked to an outcome: assign, investigate, close."),
    )
]
PAGE = 200


@router.get("/cases", summary="Cases of the regulator's subtree, with filters")
def case_list(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    state: CaseState | None = None,
    assignee: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    overdue: bool | None = None,
) -> Response:
    rows = list_cases(
        uow.session, caller, state=state, assignee=assignee, overdue=overdue, limit=PAGE
    )
    today = business_date()
    people = principal_names(
        uow.session, {c.assignee_principal_id for c in rows if c.assignee_principal_id}
    )
    firms = org_names(uow.session, {c.subject_org_id for c in rows if c.subject_org_id})
    return render(
        request,
        "supervision/cases.html",
        {
            "rows": [(c, is_overdue(c, today)) for c in rows],
            "people": people,
            "firms": firms,
            "offices": orgs_by_id(uow.session, (c.handling_org_id for c in rows)),
            "states": list(CaseState),
            "state": state.value if state else "",
            "assignee": assignee or "",
            "overdue": "" if overdue is None else ("true" if overdue else "false"),
            "me": caller.principal_id,
        },
    )


def _case_page(
    request: Request, uow: UnitOfWork, caller: Caller, case_id: int, problem: Any = None
) -> Response:
    view = case_view(uow.session, caller, case_id)
    case = view.case
    firms = org_names(uow.session, {case.subject_org_id} if case.subject_org_id else set())
    people = analysts(uow.session, caller, case)
    names = principal_names(
        uow.session, {case.assignee_principal_id} if case.assignee_principal_id else set()
    )
    context = {
        "case": case,
        "overdue": is_overdue(case),
        "firm": firms.get(case.subject_org_id or 0, "—"),
        "office": orgs_by_id(uow.session, [case.handling_org_id]).get(case.handling_org_id or 0),
        "assignee": names.get(case.assignee_principal_id or 0),
        "alerts": [(a, portal_records(a)) for a in view.alerts],
        "steps": [StepOut.model_validate(s) for s in view.steps],
        "analysts": people,
        "moves": sorted(m.value for m in MOVES[CaseState(case.state)]),
        "outcomes": [o.value for o in Outcome],
        "writer": caller.role not in READ_ONLY_ROLES,
        "problem": problem,
        "problem_title": error_title(request, problem.slug) if problem else None,
    }
    status = problem.status if problem else 200
    return render(request, "supervision/case.html", context, status_code=status)


@router.get("/cases/{case_id}", summary="One case: its alerts, history, and what to do next")
def case_page(
    request: Request, case_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _case_page(request, uow, caller, case_id)


def _write(
    request: Request, caller: Caller, case_id: int, fn: Callable[[UnitOfWork], Any], done: str
) -> Response:
    """Run one step; a refusal shows the case again with the problem (nothing changed)."""
    try:
        run_write(request, caller, fn)
    except CrossfinError as exc:
        if exc.status in (403, 404):
            raise
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _case_page(request, uow, caller, case_id, problem=exc)
    return redirect(request, f"/cases/{case_id}", flash=("success", done))


@router.post("/cases/{case_id}/assign", summary="Assign the case to an analyst")
def assign(
    request: Request,
    case_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    principal_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    def run(uow: UnitOfWork) -> Any:
        if not principal_id.isdigit() or not 0 < int(principal_id) < 2**31:
            raise invalid("principal_id", "choose an analyst")
        return cases.assign(uow, caller, case_id, int(principal_id))

    return _write(request, caller, case_id, run, N_("Case assigned."))


@router.post("/cases/{case_id}/transition", summary="Investigate, or close with an outcome")
def transition(
    request: Request,
    case_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    to: Annotated[str, Form(max_length=16)] = "",
    outcome: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    def run(uow: UnitOfWork) -> Any:
        state, chosen = cases.parse_move(to, outcome or None)
        return cases.move(uow, caller, case_id, state, chosen)

    return _write(request, caller, case_id, run, N_("Case updated."))


@router.post("/cases/{case_id}/notes", summary="Add a note to the case")
def note(
    request: Request,
    case_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _write(
        request,
        caller,
        case_id,
        lambda uow: cases.add_note(uow, caller, case_id, text),
        N_("Note added."),
    )
