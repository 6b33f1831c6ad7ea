"""HTTP routes of class management: thin wrappers over parties.classes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.errors import Forbidden
from crossfin.core.http.params import PathId
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.classes import imports, service
from crossfin.parties.classes.history import class_on, history_of
from crossfin.parties.classes.schemas import ClassHistoryOut, ClassIn, ClassOut, ImportOut
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult
from crossfin.parties.models import OrgKind, TradeClass
from crossfin.parties.service import get_org

router = APIRouter(prefix="/v1", tags=["classes"])
_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "uscc,class,effective_from,period,reason\n"
                "91440300MA5DC6QX9C,B,2026-01-01,2025,two late export receipts\n",
            }
        },
    }
}
# `?results=csv`: the same report as CSV (imports.RESULT_COLUMNS).
_CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}
_WHO: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not a regulator's admin, approver or operator over the enterprise"},
    404: {"description": "No such organization the caller may read"},
}


def change_of(data: ClassIn) -> service.ClassChange:
    return service.ClassChange(
        data.trade_class.value, data.reason, data.effective_from, data.period
    )


@router.post(
    "/orgs/{org_id}/classes",
    status_code=201,
    response_model=ClassOut,
    responses={**_WHO, 409: {"description": "The same class, date and period again"}},
    summary="Classify an enterprise A, B or C from a date (regulators over it)",
)
def classify(org_id: PathId, data: ClassIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        row, receipt = service.classify(uow, caller, org_id, change_of(data))
        return ClassOut.model_validate(row), receipt

    return write(run)


@router.get(
    "/orgs/{org_id}/classes",
    response_model=ClassHistoryOut,
    responses={403: {"description": "Not an enterprise"}, 404: _WHO[404]},
    summary="An enterprise's class today and its history (itself, its regulators, operator)",
)
def history(org_id: PathId, caller: CallerDep, uow: ReadUow) -> ClassHistoryOut:
    return history_out(uow, caller, org_id)


def history_out(uow: UnitOfWork, caller: CallerDep, org_id: int) -> ClassHistoryOut:
    org = get_org(uow.session, caller, org_id)  # banks: 404 (the F2 profile has the class)
    if org.kind != OrgKind.ENTERPRISE.value:
        raise Forbidden("only enterprises carry a goods-trade class")
    rows = history_of(uow.session, org.id)
    return ClassHistoryOut(
        org_id=org.id,
        uscc=org.uscc,
        name=org.name,
        current=TradeClass(class_on(uow.session, org.id, business_date())),
        history=[ClassOut.model_validate(r) for r in rows],
    )


@router.post(
    "/classes/import",
    status_code=200,
    response_model=ImportOut,
    openapi_extra=_CSV_BODY,
    responses={
        **_CSV_ANSWER,
        403: _WHO[403],
        409: {"description": "The same file is being imported now"},
    },
    summary="Import an annual classification result (CSV): row-by-row report",
)
def import_classes(
    caller: CallerDep,
    write: WriterDep,
    results: Annotated[Literal["json", "csv"], Query(description="the answer's form")] = "json",
) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        report = imports.import_classes(uow, caller, write.body)
        return ImportOut.model_validate(report.as_dict()), None

    answer = write(run, status=200)
    if results == "csv" and answer.status_code == 200:
        report = ImportOut.model_validate_json(bytes(answer.body))
        return Response(csv_of(report), media_type="text/csv")
    return answer


@router.get(
    "/classes/imports/{import_id}",
    response_model=ImportOut,
    responses={**_CSV_ANSWER, 404: {"description": "No import of the caller's organization"}},
    summary="The report of a class import (the importing regulator)",
)
def get_import(
    import_id: PathId,
    caller: CallerDep,
    uow: ReadUow,
    results: Annotated[Literal["json", "csv"], Query(description="the answer's form")] = "json",
) -> Response:
    report = imports.get_import(uow.session, caller, import_id)
    out = ImportOut.model_validate(report.as_dict())
    if results == "csv":
        return Response(csv_of(out), media_type="text/csv")
    return Response(out.model_dump_json(), media_type="application/json")


def csv_of(report: ImportOut) -> str:
    return imports.results_csv(
        imports.ImportReport(
            report.import_id,
            report.rows,
            report.applied,
            [imports.RowResult(**r.model_dump()) for r in report.results],
        )
    )
