"""HTTP routes of P4: thin wrappers over `service.check_offshore`, the queries, the report."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.db import Database
from crossfin.core.errors import CrossfinError
from crossfin.core.fields import INT32_MAX
from crossfin.core.http.deps import SettingsDep, get_db, raw_body
from crossfin.core.http.params import PathId
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.http import (
    CallerDep,
    ReadUow,
    WriterDep,
    WriteResult,
    keyed_response,
    keyed_write,
)
from crossfin.payments.offshore import queries, report, service, tolerances
from crossfin.payments.offshore.schemas import CheckIn

router = APIRouter(prefix="/v1", tags=["payments"])
DbDep = Annotated[Database, Depends(get_db)]
BodyDep = Annotated[bytes, Depends(raw_body)]
_REFUSALS: dict[int | str, dict[str, Any]] = {
    201: {"description": "The check was recorded: its report, `outcome` passed or failed"},
    403: {"description": "`/class-not-eligible` (class C), or not a bank maker"},
    409: {
        "description": "`/already-used`: the B/L or the declaration is already used (endorsed "
        "by a check, or used by a financing), naming it, never who holds it; "
        "`/already-exists`: the bank's external_ref is taken"
    },
    422: {"description": "`/validation`: a bad field, or a document not on the platform"},
}


class CheckItem(BaseModel):
    check_id: int
    external_ref: str
    outcome: Literal["passed", "failed"]
    created_at: datetime
    bank: str
    enterprise: str
    enterprise_zh: str | None
    enterprise_uscc: str | None
    contract: str
    amount: str
    currency: str
    bill_of_lading: str
    declaration: str


class CheckPage(BaseModel):
    items: list[CheckItem]
    next_after: int | None = None


class TolerancesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "changes": {"bl_departure_days": 2, "quantity_pct": 3},
                    "reason": "pilot: same-week B/Ls only",
                }
            ]
        },
    )

    # Each tolerance's own bound is checked by `tolerances.set_tolerances` (at most 180).
    changes: dict[str, Annotated[int, Field(ge=0, le=180)]] = Field(max_length=4)
    reason: str = Field(min_length=1, max_length=500)


@router.post(
    "/payments/offshore-checks",
    status_code=201,
    responses=_REFUSALS,
    summary="Run a P4 offshore trade check (bank maker); the answer is its report",
)
def submit_check(
    data: CheckIn, request: Request, caller: CallerDep, db: DbDep, body: BodyDep
) -> Response:
    def work(remember: Callable[[UnitOfWork, int, bytes], None]) -> tuple[int, bytes]:
        def keep(uow: UnitOfWork, outcome: service.Outcome) -> bytes | None:
            if not isinstance(outcome, service.Done):
                return None
            answer = json.dumps(outcome.report, ensure_ascii=False).encode()
            remember(uow, 201, answer)
            return answer

        outcome, answer = service.check_offshore(
            Transactions.own(db, caller.actor), caller, data, keep=keep
        )
        if isinstance(outcome, CrossfinError):
            raise outcome  # its alert is recorded with the refusal
        assert answer is not None
        return 201, answer

    return keyed_response(*keyed_write(request, db, caller, body, work))


@router.get(
    "/payments/offshore-checks", response_model=CheckPage, summary="P4 checks the caller sees"
)
def list_checks(
    caller: CallerDep,
    uow: ReadUow,
    after: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 100,
    outcome: Literal["passed", "failed"] | None = None,
) -> CheckPage:
    found = queries.list_checks(uow.session, caller, after=after, limit=limit, outcome=outcome)
    page = [CheckItem.model_validate(i) for i in queries.items(uow.session, found)]
    return CheckPage(items=page, next_after=found[-1].id if len(found) == limit else None)


@router.get(
    "/payments/offshore-checks/{check_id:int}",
    summary="A P4 check's authenticity report (JSON): every comparison, its evidence, the receipt",
)
def get_report(
    check_id: PathId, caller: CallerDep, uow: ReadUow, settings: SettingsDep
) -> dict[str, Any]:
    check = queries.get_check(uow.session, caller, check_id)
    return report.full(uow.session, check, settings.witness_quorum)


@router.get(
    "/payments/offshore-checks/{check_id:int}/report.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="A P4 check's authenticity report as a PDF",
)
def get_report_pdf(
    check_id: PathId, caller: CallerDep, uow: ReadUow, settings: SettingsDep
) -> Response:
    check = queries.get_check(uow.session, caller, check_id)
    return pdf_response(report.pdf(uow.session, check, settings.witness_quorum), check_id)


def pdf_response(body: bytes, check_id: int) -> Response:
    """A report's PDF, shown inline (API and portal)."""
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="offshore-check-{check_id}.pdf"'},
    )


@router.get("/offshore-tolerances", summary="P4's tolerances in force (dates, quantities)")
def get_tolerances(caller: CallerDep, uow: ReadUow) -> dict[str, int]:
    found = tolerances.current_tolerances(uow.session)
    return found.as_dict() | {"version": found.version}


@router.post(
    "/offshore-tolerances",
    summary="Change P4's tolerances (head office or operator): a new version, one event",
)
def set_tolerances(data: TolerancesIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        found, receipt = tolerances.set_tolerances(uow, write.caller, data.changes, data.reason)
        return found.as_dict() | {"version": found.version}, receipt

    return write(run, status=200)
