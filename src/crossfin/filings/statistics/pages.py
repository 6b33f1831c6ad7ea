"""Portal pages of a statistics filer (bilingual): choose a form and period and upload the
file, see every broken cell (table, row, column) and download the report, upload a
correction, explain warnings and submit, see the deadline, the lock, and ask for a late
correction. The generic `/filings/{id}` page shows the workflow; these link to it. Every
action calls the same use case as the API (uploads, workflow, late)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from sqlalchemy import select
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, FieldError
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import redirect, render
from crossfin.filings import workflow
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import SubmitIn, System
from crossfin.filings.statistics import late, report, uploads
from crossfin.filings.statistics.queries import statistics_of
from crossfin.filings.visibility import readable
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write

router = APIRouter()
NAV = [
    NavEntry(
        N_("Statistics filing"),
        "/filings/statistics",
        kinds(OrgKind.BANK, OrgKind.ENTERPRISE),
        order=60,
        description=N_(
            "External financial assets and liabilities: upload a monthly or quarterly "
            "report, see each broken cell, correct it and submit before the deadline."
        ),
    )
]
MAX_FILE = 32 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPLAIN = "explain:"


def _forms(uow: PortalReadUow) -> list[str]:
    query = select(FilingForm.code).where(FilingForm.system == System.STATISTICS.value)
    return sorted(set(uow.session.scalars(query)))


def _filings(uow: PortalReadUow, caller: Caller, codes: list[str]) -> list[Filing]:
    query = (
        select(Filing)
        .where(readable(caller), Filing.form_code.in_(codes))
        .order_by(Filing.id.desc())
        .limit(200)
    )
    return list(uow.session.scalars(query))


@router.get("/filings/statistics", summary="Statistics filings and the upload form (filers)")
def index(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    form: Annotated[str | None, Query(max_length=32)] = None,
    period: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    return _index(request, caller, uow, form, period, [], [])


def _index(
    request: Request,
    caller: Caller,
    uow: PortalReadUow,
    form: str | None,
    period: str | None,
    errors: list[FieldError],
    issues: list[dict[str, Any]],
) -> Response:
    codes = _forms(uow)
    context = {
        "forms": codes, "filings": _filings(uow, caller, codes), "chosen": form,
        "period": period or "", "errors": errors, "issues": issues,
    }  # fmt: skip
    return render(
        request, "filings/statistics/index.html", context,
        status_code=422 if errors or issues else 200,
    )  # fmt: skip


async def _read(file: UploadFile) -> tuple[bytes, uploads.Format]:
    data = await file.read(MAX_FILE + 1)
    name, media = (file.filename or "").lower(), file.content_type or ""
    return data, "xlsx" if name.endswith(".xlsx") or media.startswith(XLSX) else "csv"


def _refused(exc: CrossfinError) -> None:
    """403 and 404 are the portal's error pages, as on the generic filing page: the caller
    is on the wrong side or does not read the filing, so there is no form to show again."""
    if exc.status in (403, 404):
        raise exc


def _problem(exc: CrossfinError) -> tuple[list[FieldError], list[dict[str, Any]]]:
    issues = list(exc.extra.get("issues", []))
    if issues:
        return [], issues
    errors = getattr(exc, "errors", None) or [FieldError("file", exc.detail or "")]
    return list(errors), []


@router.post("/filings/statistics", summary="Upload a file as a new statistics draft")
async def upload_new(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    form: Annotated[str, Form(max_length=32)],
    period: Annotated[str, Form(max_length=16)],
    file: Annotated[UploadFile, File()],
) -> Response:
    data, fmt = await _read(file)
    try:
        found = run_write(
            request, caller,
            lambda w: uploads.draft_upload(w, caller, form, period.strip(), data, fmt),
        )  # fmt: skip
    except CrossfinError as exc:
        _refused(exc)
        errors, issues = _problem(exc)
        return _index(request, caller, uow, form, period, errors, issues)
    return redirect(
        request, f"/filings/statistics/{found.filing.id}", flash=("success", N_("File uploaded."))
    )


@router.get("/filings/statistics/{filing_id}", summary="One statistics filing: cells, deadline")
def detail(
    filing_id: PathId, request: Request, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    return _detail(request, caller, uow, filing_id, [], [])


def _detail(
    request: Request,
    caller: Caller,
    uow: PortalReadUow,
    filing_id: int,
    errors: list[FieldError],
    issues: list[dict[str, Any]],
) -> Response:
    stats = statistics_of(uow.session, caller, filing_id)
    filing = uow.session.get_one(Filing, filing_id)
    mine = caller.org_id in (filing.filer_org_id, filing.chain_org_id)
    context = {"filing": filing, "stats": stats, "errors": errors, "problems": issues,
               "explain": EXPLAIN, "mine": mine}  # fmt: skip
    status = 422 if errors or issues else 200
    return render(request, "filings/statistics/detail.html", context, status_code=status)


def _act(
    request: Request, caller: Caller, uow: PortalReadUow, filing_id: int, fn: Any, done: str
) -> Response:
    try:
        run_write(request, caller, fn)
    except CrossfinError as exc:
        _refused(exc)
        errors, issues = _problem(exc)
        return _detail(request, caller, uow, filing_id, errors, issues)
    return redirect(request, f"/filings/statistics/{filing_id}", flash=("success", done))


@router.post("/filings/statistics/{filing_id}/upload", summary="Upload a correction")
async def upload_correction(
    filing_id: PathId,
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    data, fmt = await _read(file)
    return _act(
        request, caller, uow, filing_id,
        lambda w: uploads.upload(w, caller, filing_id, data, fmt), N_("Correction uploaded."),
    )  # fmt: skip


@router.post("/filings/statistics/{filing_id}/submit", summary="Submit, explaining warnings")
async def submit(
    filing_id: PathId, request: Request, caller: PortalCallerDep, uow: PortalReadUow, _: CsrfDep
) -> Response:
    fields = await request.form()
    notes = {
        str(k)[len(EXPLAIN) :]: str(v) for k, v in fields.items() if str(k).startswith(EXPLAIN)
    }
    filing = uow.session.get(Filing, filing_id)
    action = (
        workflow.resubmit if filing is not None and filing.state == "returned" else workflow.submit
    )
    data = SubmitIn(explanations=notes)
    return _act(
        request, caller, uow, filing_id,
        lambda w: action(w, caller, filing_id, data), N_("Submitted."),
    )  # fmt: skip


@router.post("/filings/statistics/{filing_id}/late-correction", summary="Ask for a late correction")
def late_correction(
    filing_id: PathId,
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    return _act(
        request, caller, uow, filing_id,
        lambda w: late.request(w, caller, filing_id, reason), N_("Late correction requested."),
    )  # fmt: skip


@router.get("/filings/statistics/{filing_id}/report.{fmt}", summary="The per-cell report")
def download(filing_id: PathId, fmt: str, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    found = report.cell_report(uow.session, caller, filing_id)
    name = f"{found.filing.reference}-report"
    if fmt == "xlsx":
        body, media = report.report_xlsx(found), XLSX
    else:
        body, media, fmt = report.report_csv(found), "text/csv; charset=utf-8", "csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)
