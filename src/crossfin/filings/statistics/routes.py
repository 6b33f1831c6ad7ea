"""HTTP routes of statistics filings: uploads, the per-cell report, the standing against
the deadline and late corrections (docs/filings.md, "Statistics filing"). Thin: each calls
one use-case function in the request's transaction."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from crossfin.core.http.params import PathId
from crossfin.filings.routes import _ATTACH_BODY, Upload, move, upload_of
from crossfin.filings.schemas import CODE, PERIOD, FilingDetailOut
from crossfin.filings.statistics import late, report, uploads
from crossfin.filings.statistics.queries import statistics_of, upload_out
from crossfin.filings.statistics.schemas import (
    LateDecisionIn,
    LateRequestIn,
    StatisticsOut,
    UploadOut,
)
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["statistics"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FormatQ = Annotated[
    Literal["csv", "xlsx"] | None,
    Query(description="csv or xlsx; default from the file's name or media type"),
]
_UPLOAD: dict[int | str, dict[str, Any]] = {
    403: {"description": "`/forbidden`: not the filer's chain"},
    404: {"description": "`/not-found`: no filing (or form) the caller reads"},
    409: {"description": "`/illegal-transition` (not a draft or returned) or `/filing-locked`"},
    422: {"description": "`/filing-content`: the file's parse issues, each naming its cell"},
}
_MOVES: dict[int | str, dict[str, Any]] = {
    403: {"description": "`/forbidden`: the other side's move"},
    404: {"description": "`/not-found`: no filing the caller reads"},
    409: {"description": "`/conflict`: not locked, or no request pending"},
}


def _format(upload: Upload, given: str | None) -> Literal["csv", "xlsx"]:
    if given in ("csv", "xlsx"):
        return "xlsx" if given == "xlsx" else "csv"
    is_xlsx = upload.name.lower().endswith(".xlsx") or upload.media_type.startswith(XLSX)
    return "xlsx" if is_xlsx else "csv"


@router.post(
    "/statistics/uploads",
    status_code=201,
    response_model=UploadOut,
    summary="Draft a statistics filing from a CSV or XLSX file (filer)",
    openapi_extra=_ATTACH_BODY,
    responses=_UPLOAD,
)
def draft_upload(
    upload: Annotated[Upload, Depends(upload_of)],
    write: WriterDep,
    form: Annotated[str, Query(pattern=CODE, examples=["EFAL-M"])],
    period: Annotated[str, Query(pattern=PERIOD, examples=["2026-10"])],
    format: FormatQ = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> Response:
    fmt = _format(upload, format)

    def run(uow: UnitOfWork) -> WriteResult:
        found = uploads.draft_upload(
            uow, write.caller, form, period, upload.data, fmt, jurisdiction
        )
        return upload_out(uow.session, write.caller, found), found.receipt

    return write(run, status=201)


@router.post(
    "/filings/{filing_id}/upload",
    response_model=UploadOut,
    summary="New content for a draft or returned statistics filing, from a file (filer)",
    openapi_extra=_ATTACH_BODY,
    responses=_UPLOAD,
)
def upload_content(
    filing_id: PathId,
    upload: Annotated[Upload, Depends(upload_of)],
    write: WriterDep,
    format: FormatQ = None,
) -> Response:
    fmt = _format(upload, format)

    def run(uow: UnitOfWork) -> WriteResult:
        found = uploads.upload(uow, write.caller, filing_id, upload.data, fmt)
        return upload_out(uow.session, write.caller, found), found.receipt

    return write(run, status=200)


@router.get(
    "/filings/{filing_id}/statistics",
    response_model=StatisticsOut,
    summary="A statistics filing's cell issues, continuity and deadline standing",
)
def get_statistics(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> StatisticsOut:
    return statistics_of(uow.session, caller, filing_id)


def _download(body: bytes, media: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)


@router.get(
    "/filings/{filing_id}/report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The per-cell report of the current version, as CSV",
)
def report_csv(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> Response:
    found = report.cell_report(uow.session, caller, filing_id)
    name = f"{found.filing.reference}-report.csv"
    return _download(report.report_csv(found), "text/csv; charset=utf-8", name)


@router.get(
    "/filings/{filing_id}/report.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="The per-cell report of the current version, as the marked workbook",
)
def report_xlsx(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> Response:
    found = report.cell_report(uow.session, caller, filing_id)
    return _download(report.report_xlsx(found), XLSX, f"{found.filing.reference}-report.xlsx")


@router.post(
    "/filings/{filing_id}/late-correction",
    response_model=FilingDetailOut,
    summary="Ask to correct a filing locked by its deadline (filer)",
    responses=_MOVES,
)
def request_late(filing_id: PathId, data: LateRequestIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: late.request(u, c, i, data.reason))


@router.post(
    "/filings/{filing_id}/late-correction/approve",
    response_model=FilingDetailOut,
    summary="Approve the late correction: a window for one correction (regulator)",
    responses=_MOVES,
)
def approve_late(filing_id: PathId, data: LateDecisionIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: late.decide(u, c, i, True, data.note))


@router.post(
    "/filings/{filing_id}/late-correction/refuse",
    response_model=FilingDetailOut,
    summary="Refuse the late correction, with a reason (regulator)",
    responses=_MOVES,
)
def refuse_late(filing_id: PathId, data: LateDecisionIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: late.decide(u, c, i, False, data.note))
