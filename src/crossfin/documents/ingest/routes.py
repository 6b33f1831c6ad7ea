"""HTTP routes of the registry's ingestion side: source keys, batches, versions, proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from crossfin.core.db import Database
from crossfin.core.errors import FieldError, PayloadTooLarge, ValidationFailed, field_errors
from crossfin.core.fields import INT32_MAX
from crossfin.core.http.answers import answer_body
from crossfin.core.http.deps import get_db, raw_body
from crossfin.core.http.params import PathId
from crossfin.documents import versions
from crossfin.documents.errors import RecordUnreadable
from crossfin.documents.ingest import batches, reports, service, sources
from crossfin.documents.ingest.schemas import AmendmentIn, BatchIn, SourceKeyOut, VkeyIn
from crossfin.documents.kinds.registry import all_kinds
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["documents: ingestion"])
DbDep = Annotated[Database, Depends(get_db)]
BodyDep = Annotated[bytes, Depends(raw_body)]
MAX_CHUNK_BYTES = 64 * 1024 * 1024
_TEXT_BODY = {
    "requestBody": {
        "content": {
            "text/plain": {"schema": {"type": "string"}},
            "application/json": {"schema": BatchIn.model_json_schema()},
        }
    }
}
_JSON = {"application/json": {"schema": {"type": "object"}}}
_LINES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"declaration_no": "531620240123456789", ...}\n',
            },
            "text/csv": {
                "schema": {"type": "string"},
                "example": "declaration_no,enterprise_uscc,...\n531620240123456789,...\n",
            },
        },
    }
}


@router.get("/documents/kinds", summary="The document kinds, their sources and fields")
def kinds(caller: CallerDep) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "source": s.source.value,
            "key": s.key_field,
            "owner": s.owner_field,
            "single_use": s.single_use,
            "fields": list(s.fields),
            "required": sorted(s.required_fields),
            "description": s.description,
        }
        for s in all_kinds()
    ]


@router.post(
    "/sources/keys",
    status_code=201,
    summary="Register the source's Ed25519 manifest verifier key (C2SP vkey)",
)
def register_key(data: VkeyIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        row, receipt = sources.register_key(uow, caller, data.vkey)
        return SourceKeyOut.model_validate(row), receipt

    return write(run)


@router.get(
    "/sources/keys",
    response_model=list[SourceKeyOut],
    summary="The source's verifier keys, retired ones included",
    responses={403: {"description": "Only sources have verifier keys"}},
)
def list_keys(caller: CallerDep, uow: ReadUow) -> list[SourceKeyOut]:
    return [SourceKeyOut.model_validate(k) for k in sources.list_keys(uow.session, caller)]


@router.post("/sources/keys/{key_id}/retire", summary="Retire a verifier key at once")
def retire_key(key_id: PathId, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        row, receipt = sources.retire_key(uow, caller, key_id)
        return SourceKeyOut.model_validate(row), receipt

    return write(run, status=200)


def _batch_input(request: Request, body: bytes) -> BatchIn:
    """The manifest as a text body, or JSON {manifest, mode}."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            return BatchIn.model_validate_json(body)
        return BatchIn(manifest=body.decode("utf-8"))
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None
    except UnicodeDecodeError:
        raise ValidationFailed([FieldError("body", "the manifest is not UTF-8")]) from None


@router.post(
    "/batches",
    status_code=201,
    openapi_extra=_TEXT_BODY,
    summary="Announce a signed batch by its manifest (text, or JSON with mode)",
    responses={
        200: {"description": "The same manifest again: the batch as it is", "content": _JSON}
    },
)
def register_batch(request: Request, body: BodyDep, caller: CallerDep, db: DbDep) -> Response:
    data = _batch_input(request, body)
    opened = service.open_batch(
        Transactions.own(db, caller.actor), caller, data.manifest, data.mode
    )
    return _answer(opened, 201 if opened.created else 200)


@router.get("/batches/{ref}", summary="A batch's status and the next line it expects")
def get_batch(ref: str, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    return batches.batch_view(batches.get_batch(uow.session, caller, ref))


@router.post(
    "/batches/{ref}/lines",
    openapi_extra=_LINES_BODY,
    summary="Upload lines from `from` on (JSON Lines, or CSV with its header row)",
)
def upload_lines(
    ref: str,
    request: Request,
    body: BodyDep,
    caller: CallerDep,
    db: DbDep,
    start: Annotated[int, Query(alias="from", ge=0, le=INT32_MAX)] = 0,
) -> Response:
    if len(body) > MAX_CHUNK_BYTES:
        raise PayloadTooLarge(f"send at most {MAX_CHUNK_BYTES} bytes per chunk")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordUnreadable("the chunk is not UTF-8 text") from None
    csv_format = request.headers.get("content-type", "").lower().startswith("text/csv")
    submitted = service.submit_chunk(
        Transactions.own(db, caller.actor), caller, ref, start, text, csv_format
    )
    return _answer(submitted)


@router.post(
    "/batches/{ref}/publish",
    summary="Publish a complete batch again after an interrupted publication",
)
def publish_batch(ref: str, caller: CallerDep, db: DbDep) -> Response:
    submitted = service.publish_if_complete(Transactions.own(db, caller.actor), caller, ref)
    return _answer(submitted)


def _answer(submission: service.Submission, status: int = 200) -> Response:
    """The batch's status, with the receipt of a publication made by this request."""
    body = answer_body(batches.batch_view(submission.batch), submission.receipt)
    return Response(body, status_code=status, media_type="application/json")


@router.get("/batches/{ref}/report.json", summary="The outcome report, line by line (JSON)")
def report_json(
    ref: str, caller: CallerDep, db: DbDep, all_lines: Annotated[bool, Query(alias="all")] = False
) -> StreamingResponse:
    batch_id = reports.batch_id_for(db, caller, ref)
    return StreamingResponse(
        reports.json_report(db, batch_id, all_lines), media_type="application/json"
    )


@router.get(
    "/batches/{ref}/report.csv",
    summary="The outcome report, line by line (CSV)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def report_csv(
    ref: str, caller: CallerDep, db: DbDep, all_lines: Annotated[bool, Query(alias="all")] = False
) -> StreamingResponse:
    batch_id = reports.batch_id_for(db, caller, ref)
    headers = {"Content-Disposition": f'attachment; filename="{ref}-report.csv"'}
    return StreamingResponse(
        reports.csv_report(db, batch_id, all_lines),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


@router.get(
    "/documents/{kind}/{key}/versions",
    summary="Every version of a document (its source, its owner, regulators over it)",
)
def list_versions(kind: str, key: str, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    doc, rows = versions.list_versions(uow.session, caller, kind, key)
    return {
        "kind": doc.kind,
        "key": doc.key,
        "current": doc.version,
        "versions": [versions.version_view(v) for v in rows],
    }


@router.post(
    "/documents/{kind}/{key}/amendments",
    status_code=201,
    summary="Amend a document: a new version linked to the previous (source only)",
)
def amend(kind: str, key: str, data: AmendmentIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        doc, version, receipt = versions.amend(uow, caller, kind, key, data.record, data.reason)
        return {"kind": doc.kind, "key": doc.key, **versions.version_view(version)}, receipt

    return write(run)


@router.get(
    "/documents/{kind}/{key}/proof",
    summary="Proof that the source signed the document: path to its batch root",
)
def proof(kind: str, key: str, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    return versions.document_proof(uow.session, caller, kind, key)
