"""Portal pages of payments: the bank's template upload with row results, its P2 payment
form, its payment queue and approval; the enterprise's payments and the uses of its
invoices; a regulator's subtree.

Thin handlers over the same functions as the API (uploads.apply_template,
submission.submit, transitions, queries).
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import ValidationError
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, NotFound, ValidationFailed, field_errors, invalid
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
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names, orgs_by_id
from crossfin.payments import (
    p1_queries,
    queries,
    sampling,
    submission,
    template,
    transitions,
    uploads,
)
from crossfin.payments.lifecycle import State
from crossfin.payments.schemas import PaymentIn, UploadOut
from crossfin.payments.service import Submitted
from crossfin.payments.thresholds import current_thresholds

router = APIRouter()
NAV = [
    NavEntry(
        N_("Payments"),
        "/payments",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.REGULATOR),
        order=57,
        description=N_(
            "Freight and service-trade payments: upload invoices or pay against a tax "
            "filing, approve, follow."
        ),
    ),
]
MAX_UPLOAD = 8 * 1024 * 1024
DONE = {
    "approve": N_("Approved."),
    "pay": N_("Payment recorded as sent."),
    "return": N_("Returned; the invoices are released."),
    "cancel": N_("Cancelled; the invoices are released."),
}


def _page(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    state: str | None = None,
    invoice: str | None = None,
    upload: UploadOut | None = None,
    problem: CrossfinError | None = None,
    status: int = 200,
) -> Response:
    wanted = state if state in {s.value for s in State} else None
    document = ("vat_invoice", invoice.strip()) if invoice and invoice.strip() else None
    found = queries.list_payments(
        uow.session, caller, state=wanted, document=document, limit=200, newest_first=True
    )
    rows = queries.to_out(uow.session, found)
    names = org_names(uow.session, {r.bank_org_id for r in rows} | {r.payer_org_id for r in rows})
    results_href = None
    if upload is not None:
        text = template.results_csv(upload.results).encode()
        results_href = "data:text/csv;base64," + base64.b64encode(text).decode()
    return render(
        request,
        "payments/queue.html",
        {
            "rows": rows,
            "names": names,
            "state": wanted or "",
            "states": [s.value for s in State],
            "invoice": invoice or "",
            "is_bank": caller.org_kind is OrgKind.BANK,
            "can_make": caller.org_kind is OrgKind.BANK
            and caller.role in (Role.OPERATOR, Role.ADMIN),
            "can_check": caller.org_kind is OrgKind.BANK and caller.role is Role.APPROVER,
            "upload": upload,
            "results_href": results_href,
            "problem": problem,
            "problem_title": error_title(request, problem.slug) if problem else None,
            "p2_threshold": current_thresholds(uow.session)["P2"].text,
        },
        status_code=status,
    )


@router.get("/payments", summary="Payments: the bank's queue and upload, or what others see")
def queue(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    state: str | None = None,
    invoice: str | None = None,
) -> Response:
    return _page(request, uow, caller, state, invoice)


@router.post("/payments/upload", summary="Upload a P3 template (CSV or XLSX; bank makers)")
async def upload(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    try:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise invalid("file", f"at most {MAX_UPLOAD // (1024 * 1024)} MiB")
        fmt = template.format_of(file.filename, file.content_type)
        tx = Transactions.own(database_of(request), caller.actor)
        done, _answer = uploads.apply_template(tx, caller, data, fmt)
    except CrossfinError as exc:
        return _page(request, uow, caller, problem=exc, status=exc.status)
    return _page(request, uow, caller, upload=done)


_FORM = Annotated[str, Form(max_length=200)]


@router.post("/payments/p2", summary="Submit a P2 service-trade payment (bank makers)")
def submit_p2(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    external_ref: _FORM = "",
    payer_uscc: _FORM = "",
    payee_name: _FORM = "",
    payee_country: _FORM = "",
    payee_account: _FORM = "",
    payee_bic: _FORM = "",
    amount: _FORM = "",
    currency: _FORM = "USD",
    usd_rate: _FORM = "",
    filing_no: _FORM = "",
    verification_code: _FORM = "",
) -> Response:
    payee = {"name": payee_name.strip(), "country": payee_country.strip().upper()}
    payee |= {
        k: v.strip() for k, v in (("account", payee_account), ("bic", payee_bic)) if v.strip()
    }
    body: dict[str, Any] = {
        "scenario": "P2",
        "external_ref": external_ref.strip(),
        "payer_uscc": payer_uscc.strip(),
        "payee": payee,
        "amount": amount.strip(),
        "currency": currency.strip().upper(),
        "purpose_code": "228010",
        "documents": [],
    }
    if filing_no.strip() or verification_code.strip():
        code = {"verification_code": verification_code.strip()} if verification_code.strip() else {}
        body["documents"] = [{"kind": "tax_filing", "key": filing_no.strip(), "fields": code}]
    if usd_rate.strip() and body["currency"] != "USD":
        body["fx_rates"] = {f"{body['currency']}/USD": usd_rate.strip()}
    try:
        try:
            data = PaymentIn.model_validate(body)
        except ValidationError as exc:
            raise ValidationFailed(field_errors(exc)) from None
        tx = Transactions.own(database_of(request), caller.actor)
        [outcome], _answer = submission.submit(tx, caller, [data])
        if isinstance(outcome, CrossfinError):
            raise outcome
    except CrossfinError as exc:
        return _page(request, uow, caller, problem=exc, status=exc.status)
    assert isinstance(outcome, Submitted)
    return redirect(request, "/payments", flash=("success", N_("Payment submitted.")))


@router.post("/payments/{payment_id}/{action}", summary="Act on a payment (its bank)")
def act(
    request: Request,
    payment_id: PathId,
    action: str,
    caller: PortalCallerDep,
    _: CsrfDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if action not in DONE:
        raise NotFound(f"no action {action}")

    def run(uow: UnitOfWork) -> Any:
        if action == "approve":
            return transitions.approve(uow, caller, payment_id, reason.strip() or None)
        if action == "pay":
            return transitions.pay(uow, caller, payment_id)
        if action == "return":
            return transitions.return_payment(uow, caller, payment_id, reason.strip() or "-")
        return transitions.cancel(uow, caller, payment_id, reason.strip() or "-")

    try:
        run_write(request, caller, run)
    except CrossfinError as exc:
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _page(request, uow, caller, problem=exc, status=exc.status)
    return redirect(request, "/payments", flash=("success", DONE[action]))


# -- P1 post-event sampling and review tasks (docs/payments.md) ----------------------------

NAV.append(
    NavEntry(
        N_("P1 reviews"),
        "/p1-reviews",
        kinds(OrgKind.BANK, OrgKind.REGULATOR),
        order=58,
        description=N_("P1 capital-account payments sampled for review: papers and outcomes."),
    )
)
REVIEWED = {
    "draw": N_("Sample drawn."),
    "papers": N_("Papers uploaded."),
    "review": N_("Marked reviewed."),
}


def _reviews(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    problem: CrossfinError | None = None,
    status: int = 200,
) -> Response:
    session = uow.session
    samples = [
        p1_queries.sample_out(session, caller, s)
        for s in reversed(p1_queries.list_samples(session, caller, 0, p1_queries.MAX_PAGE))
    ]
    tasks = p1_queries.tasks_out(
        session, p1_queries.list_tasks(session, caller, limit=p1_queries.MAX_PAGE)
    )
    writer = caller.role is not Role.AUDITOR
    return render(
        request,
        "payments/p1_reviews.html",
        {
            "samples": samples,
            "tasks": tasks,
            "offices": orgs_by_id(session, (t.reviewing_org_id for t in tasks)),
            "rate": sampling.current_rate(session),
            "can_draw": writer and sampling.may_draw(caller),
            "can_upload": writer and caller.org_kind is OrgKind.BANK,
            "can_review": writer and caller.org_kind is OrgKind.REGULATOR,
            "types": ", ".join(sorted(sampling.PAPER_TYPES)),
            "problem": problem,
            "problem_title": error_title(request, problem.slug) if problem else None,
        },
        status_code=status,
    )


def _reviews_write(request: Request, caller: Caller, done: str, fn: Any) -> Response:
    try:
        run_write(request, caller, fn)
    except CrossfinError as exc:
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _reviews(request, uow, caller, problem=exc, status=exc.status)
    return redirect(request, "/p1-reviews", flash=("success", REVIEWED[done]))


@router.get("/p1-reviews", summary="P1 samples and review tasks (regulators, banks)")
def reviews(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    return _reviews(request, uow, caller)


@router.post("/p1-reviews/draw", summary="Draw a P1 sample (the regulator's head office)")
def reviews_draw(request: Request, caller: PortalCallerDep, _: CsrfDep) -> Response:
    quorum = settings_of(request).witness_quorum
    return _reviews_write(request, caller, "draw", lambda uow: sampling.draw(uow, caller, quorum))


@router.post("/p1-reviews/{task_id}/papers", summary="Upload papers for a P1 review (its bank)")
async def reviews_papers(
    request: Request,
    task_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    papers = []
    try:
        if len(files) > sampling.MAX_PAPERS:
            raise invalid("files", f"upload 1 to {sampling.MAX_PAPERS} files")
        for upload in files:
            data = await upload.read(sampling.MAX_PAPER_BYTES + 1)
            media = (upload.content_type or "").split(";")[0].strip()
            papers.append(sampling.Paper((upload.filename or "")[:200], media, data))
        sampling.check_papers(papers)
    except CrossfinError as exc:
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _reviews(request, uow, caller, problem=exc, status=exc.status)
    return _reviews_write(
        request, caller, "papers", lambda uow: sampling.upload_papers(uow, caller, task_id, papers)
    )


@router.post("/p1-reviews/{task_id}/review", summary="Mark a P1 review task reviewed (regulator)")
def reviews_review(
    request: Request,
    task_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    outcome: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    def run(uow: UnitOfWork) -> Any:
        try:
            chosen = sampling.Outcome(outcome)
        except ValueError:
            raise invalid("outcome", "compliant or non_compliant") from None
        return sampling.review(uow, caller, task_id, chosen, note)

    return _reviews_write(request, caller, "review", run)
