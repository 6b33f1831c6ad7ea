"""Portal pages of financings: the bank's work queue (register, approve, disburse, repay),
the financings other parties see, one financing with its documents' balances.

Thin handlers over the same services as the API (registration, transitions, queries).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy import func, select, tuple_
from starlette.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.errors import CrossfinError, FieldError, NotFound, field_errors
from crossfin.core.http.deps import database_of, settings_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.documents.balance import remaining_minor
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document
from crossfin.financing import queries, registration, service, transitions
from crossfin.financing.models import Financing
from crossfin.financing.scenarios.registry import all_scenarios
from crossfin.financing.schemas import FinancingIn
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Role
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names

router = APIRouter()
NAV = [
    NavEntry(
        N_("Financing"),
        "/financing",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.INSURER, OrgKind.REGULATOR),
        order=50,
        description=N_(
            "Register, approve, disburse and repay financings against verified documents."
        ),
    ),
    NavEntry(
        N_("Matchmaking"),
        "/market",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.REGULATOR),
        order=55,
        description=N_("Publish financing needs, make offers and accept the best one."),
    ),
    NavEntry(
        N_("Credit queries"),
        "/credit-queries",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.REGULATOR),
        order=60,
        description=N_(
            "Authorized credit-profile queries, each one logged and shown to the enterprise."
        ),
    ),
]
ACTIONS = ("approve", "reject", "cancel", "disburse", "repay", "close")
# What the next page says once an action went through.
DONE = {
    "approve": N_("Approved."),
    "reject": N_("Rejected; the documents are released."),
    "cancel": N_("Cancelled; the documents are released."),
    "disburse": N_("Disbursement recorded."),
    "repay": N_("Repayment recorded."),
    "close": N_("Closed."),
}
STAGES = {
    "todo": ("registered",),
    "approved": ("approved",),
    "live": ("disbursed", "partly_repaid"),
    "done": ("repaid", "closed"),
    "ended": ("rejected", "cancelled", "expired"),
}


def _rows(uow: UnitOfWork, caller: Caller, stage: str | None) -> list[Any]:
    query = select(Financing).where(queries.visible(caller))
    if stage in STAGES:
        query = query.where(Financing.state.in_(STAGES[stage]))
    found = list(uow.session.scalars(query.order_by(Financing.id.desc()).limit(200)))
    return queries.to_out(uow.session, found)


def _counts(uow: UnitOfWork, caller: Caller) -> dict[str, int]:
    """How many visible financings each stage holds, and how many are overdue (all of
    them, not only the rows a page shows)."""
    by_state = {
        state: n
        for state, n in uow.session.execute(
            select(Financing.state, func.count())
            .where(queries.visible(caller))
            .group_by(Financing.state)
        )
    }
    counts = {
        name: sum(by_state.get(state, 0) for state in states) for name, states in STAGES.items()
    }
    counts["overdue"] = (
        uow.session.scalar(
            select(func.count()).where(queries.visible(caller), Financing.overdue.is_(True))
        )
        or 0
    )
    return counts


@router.get("/financing", summary="Financings: the bank's work queue, or what others see")
def queue(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    stage: str | None = None,
    kind: str | None = None,
    key: str | None = None,
    value: str | None = None,
) -> Response:
    rows = _rows(uow, caller, stage)
    counts = _counts(uow, caller)
    lookup = _lookup(request, caller, kind, key, value) if kind and key else None
    names = org_names(
        uow.session, {r.bank_org_id for r in rows} | {r.enterprise_org_id for r in rows}
    )
    return render(
        request,
        "financing/queue.html",
        {
            "rows": rows,
            "counts": counts,
            "stage": stage or "",
            "names": names,
            "is_bank": caller.org_kind is OrgKind.BANK,
            "lookup": lookup,
            "lookup_kind": kind or "customs_declaration",
            "lookup_key": key or "",
            "lookup_value": value or "",
            "can_make": caller.org_kind is OrgKind.BANK
            and caller.role in (Role.OPERATOR, Role.ADMIN),
        },
    )


def _lookup(
    request: Request, caller: Caller, kind: str, key: str, value: str | None
) -> dict[str, Any]:
    """The balance as the API tells it: a bank without consent claims the document's value."""
    try:
        spec = get_kind(kind)
    except NotFound:
        return {"found": False}
    claim = (
        {spec.value_fields[0]: value.strip()}
        if value and value.strip() and len(spec.value_fields) == 1
        else {}
    )
    try:
        return {
            "found": True,
            "balance": queries.balance_of(
                Transactions.own(database_of(request), caller.actor),
                caller,
                kind,
                key.strip(),
                claim,
                settings_of(request).verify_mismatch_limit,
            ),
        }
    except NotFound:
        return {"found": False}


@router.get("/financing/new", summary="The registration form (bank makers)")
def new_form(request: Request, caller: PortalCallerDep) -> Response:
    service.check_maker(caller)
    return _form(request, {"scenario": "F1", "currency": "USD", "documents": ""}, [])


def _form(
    request: Request,
    form: dict[str, Any],
    errors: list[FieldError],
    problem: CrossfinError | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "financing/new.html",
        {
            "form": form,
            "errors": errors,
            "problem": problem,
            "problem_title": error_title(request, problem.slug) if problem else None,
            "scenarios": all_scenarios(),
        },
        status_code=status,
    )


def parse_documents(text: str) -> list[dict[str, str]]:
    """Lines of `kind key [amount]` to document shares."""
    shares = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        share = {"kind": parts[0], "key": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2:
            share["amount"] = parts[2]
        shares.append(share)
    return shares


def parse_rates(text: str) -> dict[str, str]:
    """Lines of `BASE/QUOTE=rate`."""
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {pair.strip(): rate.strip() for pair, rate in pairs}


@router.post("/financing/new", summary="Register an application from the form")
def register(
    request: Request,
    caller: PortalCallerDep,
    _: CsrfDep,
    scenario: Annotated[str, Form()],
    external_ref: Annotated[str, Form()],
    enterprise_uscc: Annotated[str, Form()],
    amount: Annotated[str, Form()],
    currency: Annotated[str, Form()],
    documents: Annotated[str, Form()],
    rate: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
    fx_rates: Annotated[str, Form()] = "",
) -> Response:
    service.check_maker(caller)
    form = {
        "scenario": scenario,
        "external_ref": external_ref.strip(),
        "enterprise_uscc": enterprise_uscc.strip(),
        "amount": amount.strip(),
        "currency": currency.strip().upper(),
        "documents": documents,
        "rate": rate.strip(),
        "due_date": due_date.strip(),
        "fx_rates": fx_rates,
    }
    try:
        data = FinancingIn.model_validate(
            {
                **{
                    k: form[k]
                    for k in ("scenario", "external_ref", "enterprise_uscc", "amount", "currency")
                },
                "documents": parse_documents(documents),
                "fx_rates": parse_rates(fx_rates),
                "rate": form["rate"] or None,
                "due_date": form["due_date"] or None,
            }
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        return _form(request, form, errors, status=422)
    # The same function as the API: refusals recorded, a concurrent duplicate external_ref
    # answered with the same 409 problem (shown on the form), never a bare integrity error.
    tx = Transactions.own(database_of(request), caller.actor)
    [outcome] = registration.register_applications(
        tx, [registration.Application(caller, data)], settings_of(request).reservation_hours
    )
    try:
        financing = registration.registered(outcome).financing
    except CrossfinError as exc:
        return _form(request, form, getattr(exc, "errors", []), exc, status=exc.status)
    return redirect(
        request,
        f"/financing/{financing.id}",
        flash=("success", N_("Application registered; its documents are reserved.")),
    )


@router.get("/financing/{financing_id}", summary="One financing with its documents")
def detail(
    request: Request, financing_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _detail(request, uow, caller, financing_id)


def _detail(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    financing_id: PathId,
    problem: CrossfinError | None = None,
    status: int = 200,
) -> Response:
    financing = queries.get_financing(uow.session, caller, financing_id)
    out = queries.to_out(uow.session, [financing])[0]
    named = {(d.kind, d.key) for d in out.documents}
    docs = list(
        uow.session.scalars(select(Document).where(tuple_(Document.kind, Document.key).in_(named)))
    )
    left = remaining_minor(uow.session, docs)
    balances = {(d.kind, d.key): (d, left[d.id]) for d in docs}
    return render(
        request,
        "financing/detail.html",
        {
            "f": out,
            "balances": balances,
            "problem": problem,
            "names": org_names(uow.session, {out.bank_org_id, out.enterprise_org_id}),
            "own_bank": caller.org_id == out.bank_org_id,
            "role": caller.role.value,
            "today": business_date().isoformat(),
        },
        status_code=status,
    )


@router.post("/financing/{financing_id}/{action}", summary="Act on a financing (its bank)")
def act(
    request: Request,
    financing_id: PathId,
    action: str,
    caller: PortalCallerDep,
    _: CsrfDep,
    reason: Annotated[str, Form()] = "",
    due_date: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
) -> Response:
    if action not in ACTIONS:
        raise NotFound(f"no action {action}")

    def run(uow: UnitOfWork) -> Any:
        if action == "approve":
            return transitions.approve(uow, caller, financing_id, reason or None)
        if action in ("reject", "cancel"):
            text = reason.strip() or "-"
            return getattr(transitions, action)(uow, caller, financing_id, text)
        if action == "disburse":
            due = date.fromisoformat(due_date) if due_date else None
            return transitions.disburse(uow, caller, financing_id, due)
        if action == "repay":
            return transitions.repay(uow, caller, financing_id, amount.strip())
        return transitions.close(uow, caller, financing_id, reason or None)

    try:
        run_write(request, caller, run)
    except (CrossfinError, ValueError) as exc:
        problem = exc if isinstance(exc, CrossfinError) else CrossfinError(str(exc))
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _detail(request, uow, caller, financing_id, problem, problem.status)
    return redirect(request, f"/financing/{financing_id}", flash=("success", DONE[action]))
