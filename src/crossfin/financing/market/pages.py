"""Portal pages of matchmaking (needs, offers, acceptance) and credit queries.

Thin handlers over `matchmaking` and `credit`, the services the API uses.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.errors import CrossfinError, FieldError, field_errors
from crossfin.core.http.deps import database_of, settings_of
from crossfin.core.http.params import PathId
from crossfin.core.money import format_amount
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.render import redirect, render
from crossfin.financing.market import credit, matchmaking
from crossfin.financing.market.expiry import shown_status
from crossfin.financing.market.models import FinancingNeed, FinancingOffer
from crossfin.financing.market.schemas import AcceptIn, NeedIn, OfferIn
from crossfin.financing.pages import parse_documents
from crossfin.financing.refusals import recording_refusals
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names

router = APIRouter()


def _need_views(
    uow: UnitOfWork, caller: Caller, needs: list[FinancingNeed]
) -> list[dict[str, Any]]:
    """What the market page shows of each need: its offers and the parties' names, loaded
    for all the needs at once."""
    offers = matchmaking.offers_on(uow.session, caller, needs)
    parties = {n.enterprise_org_id for n in needs} | {
        o.bank_org_id for found in offers.values() for o in found
    }
    names = org_names(uow.session, parties)
    today = business_date()
    return [
        {
            "need": need,
            "status": shown_status(need, today),
            "amount": format_amount(need.amount_minor, need.currency),
            "documents": json.loads(need.documents),
            "names": names,
            "offers": [
                {"offer": o, "amount": format_amount(o.amount_minor, o.currency)}
                for o in offers[need.id]
            ],
        }
        for need in needs
    ]


def _market(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    problem: CrossfinError | None = None,
    errors: list[FieldError] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    needs = matchmaking.list_needs(uow.session, caller, None, 0, 200, newest_first=True)
    return render(
        request,
        "financing/market.html",
        {
            "needs": _need_views(uow, caller, needs),
            "is_bank": caller.org_kind is OrgKind.BANK,
            "is_enterprise": caller.org_kind is OrgKind.ENTERPRISE,
            "problem": problem,
            "errors": errors or [],
            "form": form or {"currency": "USD", "tenor_days": 90},
        },
        status_code=status,
    )


@router.get("/market", summary="Financing needs and offers (F7)")
def market(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    return _market(request, uow, caller)


def _after(
    request: Request, caller: Caller, fn: Any, flash: str, form: dict[str, Any] | None = None
) -> Response:
    """Run a write; on a refusal show the market again with the reason."""
    try:
        with recording_refusals(database_of(request), caller.actor):
            run_write(request, caller, fn)
    except CrossfinError as exc:
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _market(request, uow, caller, exc, getattr(exc, "errors", []), form, exc.status)
    return redirect(request, "/market", flash=("success", flash))


@router.post("/market/needs", summary="Publish a need (enterprise)")
def publish(
    request: Request,
    caller: PortalCallerDep,
    _: CsrfDep,
    amount: Annotated[str, Form()],
    currency: Annotated[str, Form()],
    tenor_days: Annotated[str, Form()],
    purpose: Annotated[str, Form()],
    documents: Annotated[str, Form()],
) -> Response:
    form = {
        "amount": amount,
        "currency": currency.strip().upper(),
        "tenor_days": tenor_days,
        "purpose": purpose,
        "documents": documents,
    }
    try:
        data = NeedIn.model_validate(form | {"documents": parse_documents(documents)})
    except ValidationError as exc:
        errors = field_errors(exc)
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _market(request, uow, caller, None, errors, form, 422)
    return _after(
        request,
        caller,
        lambda uow: matchmaking.publish_need(uow, caller, data),
        N_("Need published."),
        form,
    )


@router.post("/market/needs/{need_id}/withdraw", summary="Withdraw a need (enterprise)")
def withdraw_need(
    request: Request, need_id: PathId, caller: PortalCallerDep, _: CsrfDep
) -> Response:
    return _after(
        request,
        caller,
        lambda uow: matchmaking.withdraw_need(uow, caller, need_id, None),
        N_("Withdrawn."),
    )


@router.post("/market/needs/{need_id}/offers", summary="Make an offer (bank)")
def make_offer(
    request: Request,
    need_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    amount: Annotated[str, Form()],
    currency: Annotated[str, Form()],
    rate: Annotated[str, Form()],
    tenor_days: Annotated[str, Form()],
) -> Response:
    try:
        data = OfferIn.model_validate(
            {
                "amount": amount.strip(),
                "rate": rate.strip(),
                "currency": currency.strip().upper(),
                "tenor_days": tenor_days,
            }
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _market(request, uow, caller, None, errors, None, 422)
    return _after(
        request,
        caller,
        lambda uow: matchmaking.make_offer(uow, caller, need_id, data),
        N_("Offer made."),
    )


@router.post("/market/offers/{offer_id}/accept", summary="Accept an offer (enterprise)")
def accept(request: Request, offer_id: PathId, caller: PortalCallerDep, _: CsrfDep) -> Response:
    hours = settings_of(request).reservation_hours
    return _after(
        request,
        caller,
        lambda uow: matchmaking.accept_offer(uow, caller, offer_id, AcceptIn(), hours),
        N_("Offer accepted: the bank has your application."),
    )


@router.post("/market/offers/{offer_id}/withdraw", summary="Withdraw an offer (bank)")
def withdraw_offer(
    request: Request, offer_id: PathId, caller: PortalCallerDep, _: CsrfDep
) -> Response:
    return _after(
        request,
        caller,
        lambda uow: matchmaking.withdraw_offer(uow, caller, offer_id, None),
        N_("Withdrawn."),
    )


@router.get("/credit-queries", summary="Credit queries: the log, and the bank's query form")
def credit_queries(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    return _credit(request, uow, caller)


def _credit(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    profile: dict[str, Any] | None = None,
    problem: CrossfinError | None = None,
    status: int = 200,
) -> Response:
    rows = credit.list_queries(uow.session, caller, 0, 500, newest_first=True)
    return render(
        request,
        "financing/credit.html",
        {
            "rows": rows,
            "profile": profile,
            "problem": problem,
            "is_bank": caller.org_kind is OrgKind.BANK,
        },
        status_code=status,
    )


@router.post("/credit-queries", summary="Query a credit profile (bank, with consent)")
def query_credit(
    request: Request,
    caller: PortalCallerDep,
    _: CsrfDep,
    enterprise_uscc: Annotated[str, Form()],
    purpose: Annotated[str, Form()] = "",
) -> Response:
    profile: dict[str, Any] | None = None
    problem: CrossfinError | None = None
    try:
        profile, _row, _receipt = run_write(
            request,
            caller,
            lambda uow: credit.query_profile(
                uow, caller, enterprise_uscc.strip(), purpose.strip() or None
            ),
        )
    except CrossfinError as exc:
        problem = exc
    with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
        return _credit(request, uow, caller, profile, problem, problem.status if problem else 200)


__all__ = ["FinancingOffer", "router"]
