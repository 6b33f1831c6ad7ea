"""HTTP routes of financings: thin wrappers over service, transitions and queries."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Database
from crossfin.core.errors import Unauthenticated
from crossfin.core.fields import IsoDateTime
from crossfin.core.http.deps import SettingsDep, database_of, get_db, raw_body
from crossfin.core.http.params import PathId
from crossfin.core.http.xml import XML, wants_xml
from crossfin.core.logging import request_id_var
from crossfin.core.settings import Settings
from crossfin.financing import queries, registration, service, transitions
from crossfin.financing.answers import Answer, Job, KeyedAnswers
from crossfin.financing.background import sweeper_lifespan
from crossfin.financing.combiner import Combiner
from crossfin.financing.iso20022 import camt
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.financing.refusals import recording_refusals
from crossfin.financing.scenarios.registry import all_scenarios
from crossfin.financing.schemas import (
    ApproveIn,
    BalanceOut,
    CloseIn,
    DisburseIn,
    FinancingIn,
    FinancingOut,
    FinancingPage,
    ReasonIn,
    RepayIn,
)
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.credentials import Presented
from crossfin.parties.http import (
    INVALID_TOKEN,
    CallerDep,
    ReadUow,
    ReplicaCallerDep,
    ReplicaUow,
    Writer,
    WriterDep,
    WriteResult,
    idempotency_of,
    note_refused_key,
    precheck,
    verified_keys,
)

router = APIRouter(prefix="/v1", tags=["financing"], lifespan=sweeper_lifespan)
_REFUSALS: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "`/duplicate-financing` (nothing left on a document) or "
        "`/over-financing` (less left than asked), naming the "
        "document and its remaining balance; or `/already-exists`"
    }
}


def out(uow: UnitOfWork, financing: Financing) -> FinancingOut:
    return queries.to_out(uow.session, [financing])[0]


def write_guarded(write: Writer, run: Callable[[UnitOfWork], Any], status: int = 201) -> Response:
    """Run a write that may reserve besides registration (F7's acceptance): record its
    refusals after the rollback."""
    with recording_refusals(write.db, write.caller.actor):
        return write(run, status=status)


async def registering_bank(
    request: Request, db: Annotated[Database, Depends(get_db)], settings: SettingsDep
) -> tuple[Caller, Presented]:
    # Grouped registrations authenticate again, batch by batch, in the transaction that
    # writes them: the request only pre-checks the key (see parties/keycache.py).
    return await precheck(request, db, service.check_maker, settings.financing_group_commit)


@router.post(
    "/financings",
    status_code=201,
    responses=_REFUSALS,
    summary="Register a financing application (bank maker); reserves its documents",
)
async def register(
    data: FinancingIn,
    bank: Annotated[tuple[Caller, Presented], Depends(registering_bank)],
    body: Annotated[bytes, Depends(raw_body)],
    settings: SettingsDep,
    request: Request,
) -> Response:
    # Async so a grouped registration waits for its batch without holding a worker thread.
    # Grouped or alone, the request goes through registration.register_applications with
    # the same HTTP answers (financing/answers.py).
    caller, presented = bank
    key, fingerprint = idempotency_of(request, body)
    grouped = settings.financing_group_commit
    job = Job(caller, data, key, fingerprint, presented if grouped else None)
    job.instance, job.request_id = request.url.path, request_id_var.get()
    try:
        if grouped:
            answer = await asyncio.wrap_future(combiner_of(request, settings).submit(job))
        else:
            answer = await run_in_threadpool(_register_alone, request, settings, job)
    except Unauthenticated as exc:  # the key was revoked since this process last saw it
        exc.headers["WWW-Authenticate"] = INVALID_TOKEN
        await run_in_threadpool(note_refused_key, request, database_of(request), exc, presented)
        raise
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return Response(
        answer.body, status_code=answer.status, media_type=answer.media_type, headers=headers
    )


def _register_alone(request: Request, settings: Settings, job: Job) -> Answer:
    """Group commit off: this request's registration in a transaction of its own."""
    tx = Transactions.own(database_of(request), job.caller.actor)
    [outcome] = registration.register_applications(
        tx, [job], settings.reservation_hours, KeyedAnswers(verified_keys(request))
    )
    answer = KeyedAnswers.answer(outcome)
    if isinstance(answer, BaseException):
        raise answer
    return answer


_COMBINER_LOCK = threading.Lock()


def combiner_of(request: Request, settings: Settings) -> Combiner:
    """The app's registration combiner, started on first use (one per process)."""
    state = request.app.state
    with _COMBINER_LOCK:
        if getattr(state, "financing_combiner", None) is None:
            state.financing_combiner = Combiner(
                database_of(request), settings.reservation_hours, verified_keys(request)
            )
    combiner: Combiner = state.financing_combiner
    return combiner


@router.get(
    "/financings",
    response_model=FinancingPage,
    summary="Financings the caller sees, in change order (reconciliation feed); JSON or "
    "camt.053 (`?format=camt.053` or `Accept: application/xml`)",
    responses={200: {"content": {XML: {"schema": {"type": "string"}}}}},
)
def list_financings(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    updated_since: Annotated[
        IsoDateTime | None, Query(description="only financings changed at or after this time")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=100, description="next_cursor of the previous page")
    ] = None,
    state: State | None = None,
    scenario: str | None = None,
    external_ref: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format_: Annotated[
        Literal["json", "camt.053"] | None,
        Query(alias="format", description="camt.053: the page as camt.053.001.04 entries"),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> FinancingPage | Response:
    flt = queries.ListFilter(
        updated_since, cursor, state.value if state else None, scenario, external_ref, limit
    )
    items, next_cursor = queries.list_financings(uow.session, caller, flt)
    page = FinancingPage(items=queries.to_out(uow.session, items), next_cursor=next_cursor)
    if not wants_xml(accept, format_, "camt.053"):
        return page
    body = camt.statement(page.items, next_cursor, str(caller.org_id), utcnow(), business_date())
    return Response(body, media_type=XML)


# `:int`, so that `/financings/iso20022` is not also this route's path (its 405 allows POST).
@router.get(
    "/financings/{financing_id:int}",
    response_model=FinancingOut,
    summary="One financing with the documents it rests on",
)
def get_financing(financing_id: PathId, caller: CallerDep, uow: ReadUow) -> FinancingOut:
    return out(uow, queries.get_financing(uow.session, caller, financing_id))


@router.post(
    "/financings/{financing_id}/approve",
    summary="Approve (checker: another principal of the bank with the approver role)",
)
def approve(financing_id: PathId, data: ApproveIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        financing, receipt = transitions.approve(uow, write.caller, financing_id, data.comment)
        return out(uow, financing), receipt

    return write(run, status=200)


@router.post(
    "/financings/{financing_id}/reject", summary="Reject (checker); releases the reservation"
)
def reject(financing_id: PathId, data: ReasonIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        financing, receipt = transitions.reject(uow, write.caller, financing_id, data.reason)
        return out(uow, financing), receipt

    return write(run, status=200)


@router.post(
    "/financings/{financing_id}/cancel",
    summary="Cancel before disbursement; releases the reservation",
)
def cancel(financing_id: PathId, data: ReasonIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        financing, receipt = transitions.cancel(uow, write.caller, financing_id, data.reason)
        return out(uow, financing), receipt

    return write(run, status=200)


@router.post(
    "/financings/{financing_id}/disburse",
    summary="Record the disbursement of an approved financing",
)
def disburse(financing_id: PathId, data: DisburseIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        financing, receipt = transitions.disburse(
            uow, write.caller, financing_id, data.due_date, data.value_date
        )
        return out(uow, financing), receipt

    return write(run, status=200)


@router.post(
    "/financings/{financing_id}/repay",
    summary="Record a repayment of principal; releases the documents pro rata",
)
def repay(financing_id: PathId, data: RepayIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        financing, receipt = transitions.repay(
            uow, write.caller, financing_id, data.amount, data.value_date
        )
        return out(uow, financing), receipt

    return write(run, status=200)


@router.post("/financings/{financing_id}/close", summary="Close a fully repaid financing")
def close(financing_id: PathId, data: CloseIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        financing, receipt = transitions.close(uow, write.caller, financing_id, data.comment)
        return out(uow, financing), receipt

    return write(run, status=200)


_CLAIM = {
    "parameters": [
        {
            "name": "total_value",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "example": "125000.00",
            "description": "A claimed field of the document, compared as POST /v1/documents/verify "
            "compares it. Any field of the kind may be sent (total_value, amount, "
            "credit_limit, valuation, ...); a bank that may not read the document "
            "must name its value fields, and every field sent must match.",
        }
    ]
}


@router.get(
    "/balances/{kind}/{key}",
    response_model=BalanceOut,
    openapi_extra=_CLAIM,
    summary="A document's remaining financeable balance (never who holds it)",
)
def balance(
    kind: str,
    key: str,
    request: Request,
    caller: CallerDep,
    db: Annotated[Database, Depends(get_db)],
    settings: SettingsDep,
) -> BalanceOut:
    """To those who may read the document, its value and what is left; to a bank that
    proves it holds it by claiming its value fields in the query, what is left only; 404
    to everyone else, as for a document that does not exist."""
    claim = claim_of(request.query_params.multi_items())
    tx = Transactions.own(db, caller.actor)
    return queries.balance_of(tx, caller, kind, key, claim, settings.verify_mismatch_limit)


def claim_of(items: list[tuple[str, str]]) -> dict[str, Any]:
    """Query parameters as claimed fields: a name given twice is a list (containers)."""
    claim: dict[str, Any] = {}
    for name, value in items:
        if name in claim:
            before = claim[name]
            claim[name] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            claim[name] = value
    return claim


@router.get("/financing-scenarios", summary="The financing scenarios and their documents")
def scenarios(caller: CallerDep) -> list[dict[str, object]]:
    return [{"name": s.name, "title": s.title, "kinds": sorted(s.kinds)} for s in all_scenarios()]
