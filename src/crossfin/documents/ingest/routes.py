"""HTTP routes of the registry's ingestion side: source keys, batches, versions, proofs."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from crossfin.core.db import Database
from crossfin.core.errors import FieldError, PayloadTooLarge, ValidationFailed, field_errors
from crossfin.core.http.deps import get_db, raw_body
from crossfin.documents import versions
from crossfin.documents.errors import RecordUnreadable
from crossfin.documents.ingest import batches, publish, reports, sources
from crossfin.documents.ingest.schemas import AmendmentIn, BatchIn, SourceKeyOut, VkeyIn
from crossfin.documents.kinds.registry import all_kinds, get_kind
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import require_role
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["documents: ingestion"])
DbDep = Annotated[Database, Depends(get_db)]
BodyDep = Annotated[bytes, Depends(raw_body)]
MAX_CHUNK_BYTES = 64 * 1024 * 1024
_TEXT_BODY = {"requestBody": {"content": {
    "text/plain": {"schema": {"type": "string"}},
    "application/json": {"schema": BatchIn.model_json_schema()}}}}
_LINES_BODY = {"requestBody": {"required": True, "content": {
    "application/x-ndjson": {"schema": {"type": "string"},
                             "example": '{"declaration_no": "531620240123456789", ...}\n'},
    "text/csv": {"schema": {"type": "string"},
                 "example": "declaration_no,enterprise_uscc,...\n531620240123456789,...\n"}}}}


@router.get("/documents/kinds", summary="The document kinds, their sources and fields")
def kinds(caller: CallerDep) -> list[dict[str, Any]]:
    return [{"name": s.name, "source": s.source.value, "key": s.key_field,
             "owner": s.owner_field, "single_use": s.single_use, "fields": list(s.fields),
             "required": sorted(s.required_fields), "description": s.description}
            for s in all_kinds()]


@router.post("/sources/keys", status_code=201,
             summary="Register the source's Ed25519 manifest verifier key (C2SP vkey)")
def register_key(data: VkeyIn, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        row, receipt = sources.register_key(uow, caller, data.vkey)
        return SourceKeyOut.model_validate(row), receipt
    return write(run)


@router.get("/sources/keys", response_model=list[SourceKeyOut],
            summary="The source's verifier keys, retired ones included")
def list_keys(caller: CallerDep, uow: ReadUow) -> list[SourceKeyOut]:
    return [SourceKeyOut.model_validate(k) for k in sources.list_keys(uow.session, caller)]


@router.post("/sources/keys/{key_id}/retire", summary="Retire a verifier key at once")
def retire_key(key_id: int, caller: CallerDep, write: WriterDep) -> Response:
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


@router.post("/batches", status_code=201, openapi_extra=_TEXT_BODY,
             summary="Announce a signed batch by its manifest (text, or JSON with mode)")
def register_batch(request: Request, body: BodyDep, caller: CallerDep, db: DbDep) -> Response:
    data = _batch_input(request, body)
    with UnitOfWork(db, caller.actor) as uow:
        batch, created = batches.register_batch(uow, caller, data.manifest, data.mode)
        uow.commit()
    return JSONResponse(json.loads(_dump(batches.batch_view(batch))),
                        status_code=201 if created else 200)


@router.get("/batches/{ref}", summary="A batch's status and the next line it expects")
def get_batch(ref: str, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    return batches.batch_view(batches.get_batch(uow.session, caller, ref))


@router.post("/batches/{ref}/lines", openapi_extra=_LINES_BODY,
             summary="Upload lines from `from` on (JSON Lines, or CSV with its header row)")
def upload_lines(ref: str, request: Request, body: BodyDep, caller: CallerDep, db: DbDep,
                 start: Annotated[int, Query(alias="from", ge=0)] = 0) -> Response:
    if len(body) > MAX_CHUNK_BYTES:
        raise PayloadTooLarge(f"send at most {MAX_CHUNK_BYTES} bytes per chunk")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordUnreadable("the chunk is not UTF-8 text") from None
    csv_format = request.headers.get("content-type", "").lower().startswith("text/csv")
    with UnitOfWork(db, caller.actor, readonly=True) as uow:
        kind = batches.get_batch(uow.session, caller, ref).kind
    require_role(caller, *batches.SUBMITTING_ROLES)  # before parsing a large chunk
    chunk = batches.prepare_chunk(get_kind(kind), start, text, csv_format)
    with UnitOfWork(db, caller.actor) as uow:
        batch = batches.stage_chunk(uow, caller, ref, chunk)
        uow.commit()
    return _after_staging(db, caller, batch)


@router.post("/batches/{ref}/publish",
             summary="Publish a complete batch again after an interrupted publication")
def publish_batch(ref: str, caller: CallerDep, db: DbDep) -> Response:
    with UnitOfWork(db, caller.actor, readonly=True) as uow:
        batch = batches.get_batch(uow.session, caller, ref)
        uow.session.expunge(batch)  # keep its loaded state past the read's rollback
    require_role(caller, *batches.SUBMITTING_ROLES)
    return _after_staging(db, caller, batch)


def _after_staging(db: Database, caller: CallerDep, batch: Any) -> Response:
    refused = batches.refusal(batch)
    if refused is not None:
        raise refused
    receipt = None
    if batch.status == "complete":
        batch, receipt = publish.run_publication(db, caller.actor, batch.id)
    view = batches.batch_view(batch)
    if receipt is not None:
        view["receipt"] = receipt.as_dict()
    return JSONResponse(json.loads(_dump(view)))


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


@router.get("/batches/{ref}/report.json", summary="The outcome report, line by line (JSON)")
def report_json(ref: str, caller: CallerDep, db: DbDep,
                all_lines: Annotated[bool, Query(alias="all")] = False) -> StreamingResponse:
    batch_id = reports.batch_id_for(db, caller, ref)
    return StreamingResponse(reports.json_report(db, batch_id, all_lines),
                             media_type="application/json")


@router.get("/batches/{ref}/report.csv", summary="The outcome report, line by line (CSV)")
def report_csv(ref: str, caller: CallerDep, db: DbDep,
               all_lines: Annotated[bool, Query(alias="all")] = False) -> StreamingResponse:
    batch_id = reports.batch_id_for(db, caller, ref)
    headers = {"Content-Disposition": f'attachment; filename="{ref}-report.csv"'}
    return StreamingResponse(reports.csv_report(db, batch_id, all_lines),
                             media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/documents/{kind}/{key}/versions",
            summary="Every version of a document (its source, its owner, regulators over it)")
def list_versions(kind: str, key: str, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    doc, rows = versions.list_versions(uow.session, caller, kind, key)
    return {"kind": doc.kind, "key": doc.key, "current": doc.version,
            "versions": [versions.version_view(v) for v in rows]}


@router.post("/documents/{kind}/{key}/amendments", status_code=201,
             summary="Amend a document: a new version linked to the previous (source only)")
def amend(kind: str, key: str, data: AmendmentIn, caller: CallerDep,
          write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        doc, version, receipt = versions.amend(uow, caller, kind, key, data.record,
                                               data.reason)
        return {"kind": doc.kind, "key": doc.key, **versions.version_view(version)}, receipt
    return write(run)


@router.get("/documents/{kind}/{key}/proof",
            summary="Proof that the source signed the document: path to its batch root")
def proof(kind: str, key: str, caller: CallerDep, uow: ReadUow) -> dict[str, Any]:
    return versions.document_proof(uow.session, caller, kind, key)
