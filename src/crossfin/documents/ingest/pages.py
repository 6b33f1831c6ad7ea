"""Portal pages that do work: a bank's bulk verification, a source's batch upload.

Both run the same services as the API in the same transactions: `verification.verify`
for banks; for sources `service.submit_batch` (documents/ingest/service.py), the steps of
the batch API in one call.
"""

from __future__ import annotations

import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import select
from starlette.responses import Response, StreamingResponse

from crossfin.core.errors import CrossfinError, ValidationFailed, invalid
from crossfin.core.http.deps import database_of, settings_of
from crossfin.core.http.params import PathId
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.render import redirect, render
from crossfin.documents.access import reading, verification
from crossfin.documents.access.claims_io import read_claims
from crossfin.documents.access.downloads import results_download
from crossfin.documents.ingest import batches, reports, service
from crossfin.documents.ingest.models import Batch, BatchLine
from crossfin.documents.kinds.registry import all_kinds
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write

router = APIRouter()
MAX_UPLOAD = 20 * 1024 * 1024
SHOWN = 500


async def _text(upload: UploadFile, field: str) -> str:
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise invalid(field, f"at most {MAX_UPLOAD // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid(field, "not UTF-8 text") from None


def _format(filename: str | None, chosen: str) -> str:
    if chosen in ("jsonl", "csv"):
        return chosen
    return "csv" if (filename or "").lower().endswith(".csv") else "jsonl"


def _verify_page(request: Request, caller: Caller, uow: UnitOfWork, **extra: Any) -> Response:
    context = {
        "recent": reading.recent_requests(uow.session, caller),
        "kinds": [k.name for k in all_kinds()],
        "errors": [],
        "result": None,
        "rows": [],
        "shown": SHOWN,
    } | extra
    return render(
        request, "documents/verify.html", context, status_code=422 if context["errors"] else 200
    )


@router.get("/verify", summary="Bulk verification: upload a file of claims (banks)")
def verify_form(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    require_kind(caller, OrgKind.BANK)
    return _verify_page(request, caller, uow)


@router.post("/verify", summary="Run a bulk verification from an uploaded file (banks)")
async def verify_upload(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    file: Annotated[UploadFile, File()],
    fmt: Annotated[str, Form()] = "auto",
    kind: Annotated[str, Form()] = "",
) -> Response:
    require_kind(caller, OrgKind.BANK)
    try:
        text = await _text(file, "file")
        claims = [
            verification.Claim(c["kind"], c["key"], c["fields"])
            for c in read_claims(
                io.StringIO(text, newline=""), _format(file.filename, fmt), kind or None
            )
        ]
        if not claims:
            raise invalid("file", "no claims in the file")
        limit = settings_of(request).verify_mismatch_limit
        result = run_write(
            request, caller, lambda write: verification.verify(write, caller, claims, limit)[0]
        )
    except ValueError as exc:
        return _verify_page(request, caller, uow, errors=[("file", str(exc))])
    except ValidationFailed as exc:
        return _verify_page(request, caller, uow, errors=[(e.field, e.reason) for e in exc.errors])
    return _verify_page(
        request, caller, uow, result=result, rows=[it.as_dict() for it in result.items[:SHOWN]]
    )


@router.get("/verify/{request_id}.csv", summary="Download a verification's results (CSV)")
def verify_download(request_id: PathId, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    return results_download(uow.session, caller, request_id)


def _sources_only(caller: Caller) -> None:
    require_kind(
        caller,
        OrgKind.CUSTOMS,
        OrgKind.TAX,
        OrgKind.INSURER,
        OrgKind.LOGISTICS,
        OrgKind.OVERSEAS_CUSTOMS,
    )


def _batch_page(
    request: Request,
    caller: Caller,
    uow: UnitOfWork,
    errors: list[tuple[str, str]] | None = None,
    status: int = 422,
) -> Response:
    query = (
        select(Batch)
        .where(Batch.source_org_id == caller.org_id)
        .order_by(Batch.id.desc())
        .limit(20)
    )
    mine = [k.name for k in all_kinds() if k.source is caller.org_kind]
    return render(
        request,
        "documents/batches.html",
        {"batches": list(uow.session.scalars(query)), "kinds": mine, "errors": errors or []},
        status_code=status if errors else 200,
    )


@router.get("/batches", summary="Signed batches: upload and outcomes (sources)")
def batch_list(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    _sources_only(caller)
    return _batch_page(request, caller, uow)


@router.post("/batches", summary="Upload a signed batch: its manifest and its records")
async def batch_upload(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    _: CsrfDep,
    manifest: Annotated[UploadFile, File()],
    records: Annotated[UploadFile, File()],
    atomic: Annotated[bool, Form()] = False,
) -> Response:
    _sources_only(caller)
    try:
        note = await _text(manifest, "manifest")
        body = await _text(records, "records")
        ref = _submit(request, caller, note, body, records.filename, atomic)
    except ValidationFailed as exc:
        return _batch_page(request, caller, uow, [(e.field, e.reason) for e in exc.errors])
    except CrossfinError as exc:  # refused (403), a conflict (409), a bad batch (422)...
        return _batch_page(request, caller, uow, [("batch", exc.detail)], exc.status)
    return redirect(request, f"/batches/{ref}")


def _submit(
    request: Request, caller: Caller, note: str, body: str, filename: str | None, atomic: bool
) -> str:
    """Register, stage every line, and publish; a refused batch raises its problem."""
    submitted = service.submit_batch(
        Transactions.own(database_of(request), caller.actor),
        caller,
        note,
        body,
        _format(filename, "auto") == "csv",
        "atomic" if atomic else "partial",
    )
    return submitted.batch.ref


@router.get("/batches/{ref}", summary="A batch's outcome (sources)")
def batch_outcome(
    request: Request, ref: str, caller: PortalCallerDep, uow: PortalReadUow
) -> Response:
    batch = batches.get_batch(uow.session, caller, ref)
    query = (
        select(BatchLine.line, BatchLine.outcome, BatchLine.key, BatchLine.errors)
        .where(BatchLine.batch_id == batch.id, BatchLine.outcome.in_(("rejected", "duplicate")))
        .order_by(BatchLine.line)
        .limit(SHOWN)
    )
    lines = [
        {
            "line": line,
            "outcome": outcome,
            "key": key,
            "errors": json.loads(errors) if errors else [],
        }
        for line, outcome, key, errors in uow.session.execute(query)
    ]
    return render(
        request,
        "documents/batch.html",
        {"batch": batch, "view": batches.batch_view(batch), "lines": lines, "shown": SHOWN},
    )


@router.get("/batches/{ref}/report.csv", summary="A batch's outcome report (CSV)")
def batch_report(
    request: Request, ref: str, caller: PortalCallerDep, all_lines: bool = False
) -> StreamingResponse:
    db = database_of(request)
    batch_id = reports.batch_id_for(db, caller, ref)
    return StreamingResponse(
        reports.csv_report(db, batch_id, all_lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{ref}-report.csv"'},
    )
