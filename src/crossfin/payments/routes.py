"""HTTP routes of payments: thin wrappers over submission, uploads, transitions, queries."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from crossfin.core.db import Database
from crossfin.core.errors import CrossfinError, invalid
from crossfin.core.fields import INT32_MAX
from crossfin.core.http.answers import answer_body
from crossfin.core.http.deps import SettingsDep, get_db, raw_body
from crossfin.core.http.params import PathId
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.gates import GateChange, Treatment, current_table, set_gates
from crossfin.parties.http import (
    CallerDep,
    ReadUow,
    WriterDep,
    WriteResult,
    keyed_response,
    keyed_write,
)
from crossfin.payments import (
    p1_queries,
    queries,
    sampling,
    scope,
    submission,
    template,
    thresholds,
    transitions,
    uploads,
)
from crossfin.payments.lifecycle import State
from crossfin.payments.models import Payment
from crossfin.payments.schemas import (
    ApproveIn,
    GatesIn,
    GatesOut,
    PapersIn,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    ReasonIn,
    ReviewIn,
    ReviewTaskOut,
    ReviewTaskPage,
    SampleOut,
    SamplePage,
    SampleRateIn,
    SampleRateOut,
    ScopeIn,
    ThresholdIn,
    ThresholdOut,
    UploadOut,
)
from crossfin.payments.service import Submitted

router = APIRouter(prefix="/v1", tags=["payments"])
DbDep = Annotated[Database, Depends(get_db)]
BodyDep = Annotated[bytes, Depends(raw_body)]
_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"description": "`/class-not-eligible` (the payer's class), `/out-of-scope`"},
    409: {
        "description": "`/already-used`: an invoice is used, naming it, never who holds it; "
        "`/filing-exhausted` (P2): the tax filing has less left (`remaining`) than the payment"
    },
    422: {
        "description": "`/validation`; `/filing-required` (P2): above the threshold (USD "
        "equivalent) the payment names no tax filing"
    },
}
_TEMPLATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": ",".join(template.COLUMNS[:8]) + ",invoice_no,invoice_amount,"
                "invoice_tax_amount,fx_rate\nFRT-1,91440300MA5DC6QX9C,Maersk A/S,DK,"
                "DK5000400440116243,DABADKKK,1000.00,USD,25442000000123456789,8000.00,"
                "480.00,7.10\n",
            },
            template.XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def out(uow: UnitOfWork, payment: Payment) -> PaymentOut:
    return queries.to_out(uow.session, [payment])[0]


@router.post(
    "/payments",
    status_code=201,
    responses=_REFUSALS,
    summary="Submit a payment (bank maker); its documents are used at once",
)
def submit_payment(
    data: PaymentIn, request: Request, caller: CallerDep, db: DbDep, body: BodyDep
) -> Response:
    def work(remember: Callable[[UnitOfWork, int, bytes], None]) -> tuple[int, bytes]:
        def keep(uow: UnitOfWork, outcomes: list[submission.Outcome]) -> bytes | None:
            [outcome] = outcomes
            if not isinstance(outcome, Submitted):
                return None
            answer = answer_body(out(uow, outcome.payment), outcome.receipt)
            remember(uow, 201, answer)
            return answer

        [outcome], answer = submission.submit(
            Transactions.own(db, caller.actor), caller, [data], keep=keep
        )
        if isinstance(outcome, CrossfinError):
            raise outcome  # its alert, if any, is recorded with the refusal
        assert answer is not None
        return 201, answer

    return keyed_response(*keyed_write(request, db, caller, body, work))


@router.post(
    "/payments/uploads",
    status_code=200,
    response_model=UploadOut,
    openapi_extra=_TEMPLATE_BODY,
    summary="Upload a P3 template (CSV or XLSX): one payment per row, row-by-row results",
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The row-by-row results: JSON, or CSV with `?results=csv`",
        }
    },
)
def upload_template(
    request: Request,
    caller: CallerDep,
    db: DbDep,
    body: BodyDep,
    fmt: Annotated[Literal["csv", "xlsx"] | None, Query(alias="format")] = None,
    results: Annotated[Literal["json", "csv"], Query(description="the answer's form")] = "json",
) -> Response:
    kind = fmt or template.format_of(None, request.headers.get("content-type"))

    def work(remember: Callable[[UnitOfWork, int, bytes], None]) -> tuple[int, bytes]:
        def keep(uow: UnitOfWork, done: UploadOut) -> bytes:
            answer = done.model_dump_json().encode()
            remember(uow, 200, answer)
            return answer

        done, answer = uploads.apply_template(
            Transactions.own(db, caller.actor), caller, body, kind, keep=keep
        )
        return 200, answer or done.model_dump_json().encode()

    status, answer, replayed = keyed_write(request, db, caller, body, work)
    if results == "csv":
        rows = UploadOut.model_validate_json(answer).results
        return keyed_response(status, template.results_csv(rows).encode(), replayed, "text/csv")
    return keyed_response(status, answer, replayed)


@router.get(
    "/payments/template.csv",
    summary="The P3 upload template (its header row)",
    response_class=Response,
)
def get_template(caller: CallerDep) -> Response:
    return Response(template.template_csv(), media_type="text/csv")


@router.get("/payments", response_model=PaymentPage, summary="Payments the caller sees")
def list_payments(
    caller: CallerDep,
    uow: ReadUow,
    after: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
    state: State | None = None,
    scenario: Annotated[str | None, Query(max_length=2)] = None,
    invoice: Annotated[
        str | None, Query(max_length=64, description="only payments using this VAT invoice")
    ] = None,
) -> PaymentPage:
    items = queries.list_payments(
        uow.session,
        caller,
        after=after,
        limit=limit,
        state=state.value if state else None,
        scenario=scenario,
        document=("vat_invoice", invoice) if invoice else None,
    )
    next_after = items[-1].id if len(items) == limit else None
    return PaymentPage(items=queries.to_out(uow.session, items), next_after=next_after)


# `:int`, so that `/payments/uploads` is not also this route's path (a 405 there allows POST only).
@router.get("/payments/{payment_id:int}", response_model=PaymentOut, summary="One payment")
def get_payment(payment_id: PathId, caller: CallerDep, uow: ReadUow) -> PaymentOut:
    return out(uow, queries.get_payment(uow.session, caller, payment_id))


@router.post(
    "/payments/{payment_id}/approve",
    summary="Approve (checker: another principal of the bank with the approver role)",
)
def approve(payment_id: PathId, data: ApproveIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        payment, receipt = transitions.approve(uow, write.caller, payment_id, data.comment)
        return out(uow, payment), receipt

    return write(run, status=200)


@router.post("/payments/{payment_id}/pay", summary="Record that the funds were sent")
def pay(payment_id: PathId, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        payment, receipt = transitions.pay(uow, write.caller, payment_id)
        return out(uow, payment), receipt

    return write(run, status=200)


@router.post("/payments/{payment_id}/return", summary="The funds came back; releases the documents")
def return_payment(payment_id: PathId, data: ReasonIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        payment, receipt = transitions.return_payment(uow, write.caller, payment_id, data.reason)
        return out(uow, payment), receipt

    return write(run, status=200)


@router.post("/payments/{payment_id}/cancel", summary="Cancel before paying; releases them")
def cancel(payment_id: PathId, data: ReasonIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        payment, receipt = transitions.cancel(uow, write.caller, payment_id, data.reason)
        return out(uow, payment), receipt

    return write(run, status=200)


@router.get("/class-gates", response_model=GatesOut, summary="The class gate table in force")
def get_gates(caller: CallerDep, uow: ReadUow) -> GatesOut:
    table = current_table(uow.session)
    return GatesOut(version=table.version, rules={s: dict(r) for s, r in table.rules.items()})


@router.post(
    "/class-gates",
    summary="Change the class gates (head office or operator): a new version, one event",
)
def change_gates(data: GatesIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        changes = [
            GateChange(c.scenario, c.trade_class, _treatment(c.treatment)) for c in data.changes
        ]
        table, receipt = set_gates(uow, write.caller, changes, data.reason)
        rules = {s: dict(r) for s, r in table.rules.items()}
        return GatesOut(version=table.version, rules=rules), receipt

    return write(run, status=200)


def _treatment(text: str) -> Treatment:
    try:
        return Treatment(text)
    except ValueError:
        raise invalid("treatment", f"one of {', '.join(t.value for t in Treatment)}") from None


@router.get("/payment-scopes", summary="Each payment scenario's jurisdiction scope")
def get_scopes(caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    found = scope.current_scopes(uow.session)
    return {s: {"version": v, "paths": paths} for s, (v, paths) in found.items()}


@router.post(
    "/payment-scopes/{scenario}",
    summary="Limit a payment scenario to payers in named jurisdiction subtrees (empty: none)",
)
def set_scope(
    scenario: Annotated[str, Path(min_length=2, max_length=2)], data: ScopeIn, write: WriterDep
) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        version, receipt = scope.set_scope(uow, write.caller, scenario, data.codes, data.reason)
        return {"scenario": scenario, "version": version, "codes": data.codes}, receipt

    return write(run, status=200)


@router.get(
    "/payment-thresholds",
    response_model=list[ThresholdOut],
    summary="Each payment scenario's documents threshold in force (USD equivalent)",
)
def get_thresholds(caller: CallerDep, uow: ReadUow) -> list[ThresholdOut]:
    found = thresholds.current_thresholds(uow.session)
    return [
        ThresholdOut(scenario=t.scenario, version=t.version, usd=t.text) for t in found.values()
    ]


@router.post(
    "/payment-thresholds/{scenario}",
    summary="Change a scenario's documents threshold (head office or operator): a new version",
)
def set_threshold(
    scenario: Annotated[str, Path(min_length=2, max_length=2)], data: ThresholdIn, write: WriterDep
) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        found, receipt = thresholds.set_threshold(
            uow, write.caller, scenario, data.amount, data.reason
        )
        return ThresholdOut(scenario=scenario, version=found.version, usd=found.text), receipt

    return write(run, status=200)


# -- P1: verifiable post-event sampling and review tasks (docs/payments.md) ----------------


@router.get("/p1-sample-rate", response_model=SampleRateOut, summary="The P1 sample rate in force")
def get_sample_rate(caller: CallerDep, uow: ReadUow) -> SampleRateOut:
    version, rate_bp = sampling.current_rate(uow.session)
    return SampleRateOut(version=version, rate_bp=rate_bp)


@router.post(
    "/p1-sample-rate",
    summary="Set the P1 sample rate (head office or operator): a new version, one event",
)
def set_sample_rate(data: SampleRateIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        version, receipt = sampling.set_rate(uow, write.caller, data.rate_bp, data.reason)
        return SampleRateOut(version=version, rate_bp=data.rate_bp), receipt

    return write(run, status=200)


@router.post(
    "/p1-samples",
    status_code=201,
    responses={409: {"description": "`/conflict`: no signed checkpoint past the last sample"}},
    summary="Draw a P1 sample (regulator head office) from the newest signed checkpoint",
)
def draw_sample(write: WriterDep, settings: SettingsDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        sample, receipt = sampling.draw(uow, write.caller, settings.witness_quorum)
        return p1_queries.sample_out(uow.session, write.caller, sample), receipt

    return write(run)


@router.get("/p1-samples", response_model=SamplePage, summary="P1 samples (regulators)")
def list_samples(
    caller: CallerDep,
    uow: ReadUow,
    after: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=p1_queries.MAX_PAGE)] = 50,
) -> SamplePage:
    found = p1_queries.list_samples(uow.session, caller, after, limit)
    items = [p1_queries.sample_out(uow.session, caller, s) for s in found]
    return SamplePage(items=items, next_after=found[-1].id if len(found) == limit else None)


@router.get("/p1-samples/{sample_id}", response_model=SampleOut, summary="One P1 sample")
def get_sample(sample_id: PathId, caller: CallerDep, uow: ReadUow) -> SampleOut:
    sample = p1_queries.get_sample(uow.session, caller, sample_id)
    return p1_queries.sample_out(uow.session, caller, sample)


@router.get(
    "/p1-review-tasks", response_model=ReviewTaskPage, summary="P1 review tasks the caller sees"
)
def list_review_tasks(
    caller: CallerDep,
    uow: ReadUow,
    after: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=p1_queries.MAX_PAGE)] = 100,
    sample_id: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    state: sampling.TaskState | None = None,
) -> ReviewTaskPage:
    found = p1_queries.list_tasks(
        uow.session,
        caller,
        after=after,
        limit=limit,
        sample_id=sample_id,
        state=state.value if state else None,
    )
    next_after = found[-1].id if len(found) == limit else None
    return ReviewTaskPage(items=p1_queries.tasks_out(uow.session, found), next_after=next_after)


@router.get(
    "/p1-review-tasks/{task_id}", response_model=ReviewTaskOut, summary="One P1 review task"
)
def get_review_task(task_id: PathId, caller: CallerDep, uow: ReadUow) -> ReviewTaskOut:
    task = sampling.get_task(uow.session, caller, task_id)
    return p1_queries.tasks_out(uow.session, [task])[0]


@router.post(
    "/p1-review-tasks/{task_id}/papers",
    summary="Upload supporting papers (the payment's bank): PDF, PNG or JPEG, 1 MiB each",
)
def upload_papers(task_id: PathId, data: PapersIn, write: WriterDep) -> Response:
    papers = [
        sampling.Paper(f.name, f.media_type, _base64(f.content, f"files[{i}].content"))
        for i, f in enumerate(data.files)
    ]

    def run(uow: UnitOfWork) -> WriteResult:
        task, receipt = sampling.upload_papers(uow, write.caller, task_id, papers)
        return p1_queries.tasks_out(uow.session, [task])[0], receipt

    return write(run, status=200)


@router.get(
    "/p1-review-tasks/{task_id}/papers/{paper_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
    summary="One uploaded paper's bytes (its bank, the regulators over the payer)",
)
def get_paper(task_id: PathId, paper_id: PathId, caller: CallerDep, uow: ReadUow) -> Response:
    paper = p1_queries.get_paper(uow.session, caller, task_id, paper_id)
    headers = {"X-Content-SHA256": paper.sha256, "X-Content-Type-Options": "nosniff"}
    return Response(paper.content, media_type=paper.media_type, headers=headers)


@router.post(
    "/p1-review-tasks/{task_id}/review",
    summary="Mark a P1 review task reviewed (a regulator over the payer), with an outcome",
)
def review_task(task_id: PathId, data: ReviewIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        outcome = sampling.Outcome(data.outcome)
        task, receipt = sampling.review(uow, write.caller, task_id, outcome, data.note)
        return p1_queries.tasks_out(uow.session, [task])[0], receipt

    return write(run, status=200)


def _base64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(field, "not base64") from None
