"""Portal pages of P4: the bank's check form and its checks, the enterprise's checks, a
regulator's subtree, and the authenticity report (HTML; the PDF is the API's).

Thin handlers over the same functions as the API (`service.check_offshore`, `queries`,
`report`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, ValidationFailed, field_errors
from crossfin.core.http.deps import database_of, settings_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Role
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow
from crossfin.payments.offshore import queries, report, service
from crossfin.payments.offshore.routes import pdf_response
from crossfin.payments.offshore.schemas import CheckIn

router = APIRouter()
NAV = [
    NavEntry(
        N_("Offshore checks"),
        "/offshore-checks",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.REGULATOR),
        order=59,
        description=N_(
            "Offshore trade background checks (P4): the B/L, the overseas declaration and "
            "the carrier's events compared, the documents endorsed."
        ),
    ),
]
_FORM = Annotated[str, Form(max_length=200)]


def _page(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    outcome: str | None = None,
    problem: CrossfinError | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    wanted = outcome if outcome in ("passed", "failed") else None
    found = queries.list_checks(uow.session, caller, outcome=wanted, limit=200, newest_first=True)
    return render(
        request,
        "payments/offshore.html",
        {
            "rows": queries.items(uow.session, found),
            "outcome": wanted or "",
            "is_bank": caller.org_kind is OrgKind.BANK,
            "can_make": caller.org_kind is OrgKind.BANK
            and caller.role in (Role.OPERATOR, Role.ADMIN),
            "form": form or {},
            "problem": problem,
            "problem_title": error_title(request, problem.slug) if problem else None,
        },
        status_code=status,
    )


@router.get("/offshore-checks", summary="P4 checks: the bank's form and list, or what others see")
def checks(
    request: Request, caller: PortalCallerDep, uow: PortalReadUow, outcome: str | None = None
) -> Response:
    return _page(request, uow, caller, outcome)


@router.post("/offshore-checks", summary="Run a P4 check (bank makers)")
def submit(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    external_ref: _FORM = "",
    enterprise_uscc: _FORM = "",
    contract_no: _FORM = "",
    amount: _FORM = "",
    currency: _FORM = "",
    buyer_name: _FORM = "",
    buyer_country: _FORM = "",
    seller_name: _FORM = "",
    seller_country: _FORM = "",
    bill_of_lading: _FORM = "",
    declaration: _FORM = "",
    containers: Annotated[str, Form(max_length=2000)] = "",
    hs_code: _FORM = "",
    goods_description: _FORM = "",
    quantity: _FORM = "",
    unit: _FORM = "",
    gross_weight_kg: _FORM = "",
) -> Response:
    form = {k: v.strip() for k, v in locals().items() if isinstance(v, str)}
    goods = {
        "hs_code": form["hs_code"],
        "description": form["goods_description"] or None,
        "quantity": form["quantity"] or None,
        "unit": form["unit"].upper() or None,
        "gross_weight_kg": form["gross_weight_kg"] or None,
    }
    body: dict[str, Any] = {
        "external_ref": form["external_ref"],
        "enterprise_uscc": form["enterprise_uscc"],
        "contract": {
            "number": form["contract_no"],
            "amount": form["amount"],
            "currency": form["currency"].upper(),
            "buyer": {"name": form["buyer_name"], "country": form["buyer_country"].upper()},
            "seller": {"name": form["seller_name"], "country": form["seller_country"].upper()},
        },
        "bill_of_lading": form["bill_of_lading"],
        "declaration": form["declaration"],
        # One per line, or separated by commas or spaces, as they are copied from a B/L.
        "containers": containers.replace(",", " ").split(),
        "goods": goods if form["hs_code"] else None,
    }
    try:
        try:
            data = CheckIn.model_validate(body)
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc)) from None
        tx = Transactions.own(database_of(request), caller.actor)
        outcome, _answer = service.check_offshore(tx, caller, data)
        if isinstance(outcome, CrossfinError):
            raise outcome
    except CrossfinError as exc:
        return _page(request, uow, caller, problem=exc, form=form, status=exc.status)
    flash = N_("Check passed; the documents are endorsed.")
    if outcome.check.outcome == "failed":
        flash = N_("Check failed; nothing was endorsed and the regulator is alerted.")
    kind = "success" if outcome.check.outcome == "passed" else "error"
    return redirect(request, f"/offshore-checks/{outcome.check.id}", flash=(kind, flash))


@router.get("/offshore-checks/{check_id}", summary="A P4 check's authenticity report (HTML)")
def report_page(
    request: Request, check_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    check = queries.get_check(uow.session, caller, check_id)
    found = report.full(uow.session, check, settings_of(request).witness_quorum)
    return render(request, "payments/offshore_report.html", {"r": found})


@router.get("/offshore-checks/{check_id}/report.pdf", summary="A P4 report as a PDF (portal)")
def report_pdf(
    request: Request, check_id: PathId, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    """The API's PDF for a logged-in person (the API takes keys, the portal its session)."""
    check = queries.get_check(uow.session, caller, check_id)
    quorum = settings_of(request).witness_quorum
    return pdf_response(report.pdf(uow.session, check, quorum), check_id)
