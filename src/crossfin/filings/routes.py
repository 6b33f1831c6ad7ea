"""HTTP routes of filings: thin wrappers over drafting, the workflow, attachments and
queries (docs/filings.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from crossfin.core.errors import NotFound, invalid
from crossfin.core.http.deps import SettingsDep
from crossfin.core.http.params import After, PathId
from crossfin.filings import attachments, catalogue, drafting, queries, workflow
from crossfin.filings.models import Filing
from crossfin.filings.schemas import (
    CODE,
    AttachmentOut,
    FilingDetailOut,
    FilingIn,
    FilingPage,
    FormOut,
    NoteIn,
    OutcomeIn,
    ReasonIn,
    SubmitIn,
)
from crossfin.filings.steps import FilingState
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.http import CallerDep, ReadUow, Writer, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["filings"])
Limit = Annotated[int, Query(ge=1, le=500)]
_MOVES: dict[int | str, dict[str, Any]] = {
    403: {"description": "`/forbidden`: the other side's move (filer or covering regulator)"},
    404: {"description": "`/not-found`: no filing the caller reads"},
    409: {"description": "`/illegal-transition`, naming the filing's `state`"},
}
_SUBMIT = _MOVES | {
    422: {"description": "`/filing-content`: every issue, each with its location and rule"}
}
_ATTACH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                },
                "example": {"file": "contract.pdf"},
            },
            # A raw body is sent with the file's own media type (application/pdf...).
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
                "example": "%PDF-1.7 ...",
            },
        },
    }
}


def _detail(uow: UnitOfWork, caller: Caller, filing_id: int) -> FilingDetailOut:
    return queries.filing_detail(uow.session, caller, filing_id)


Step = Callable[[UnitOfWork, Caller, int], tuple[Filing, Receipt]]


@router.get("/filing-forms", response_model=list[FormOut], summary="Every form version")
def list_forms(caller: CallerDep, uow: ReadUow) -> list[FormOut]:
    return [catalogue.form_out(f) for f in catalogue.list_forms(uow.session)]


@router.get(
    "/filing-forms/{code}",
    response_model=list[FormOut],
    summary="The versions of one form, oldest first",
    responses={404: {"description": "no form of this code"}},
)
def get_form(code: str, caller: CallerDep, uow: ReadUow) -> list[FormOut]:
    found = catalogue.list_forms(uow.session, code) if _is_code(code) else []
    if not found:
        raise NotFound(f"no form {code}")
    return [catalogue.form_out(f) for f in found]


def _is_code(text: str) -> bool:
    return re.fullmatch(CODE, text) is not None


@router.get("/filings", response_model=FilingPage, summary="Filings the caller reads")
def list_filings(
    caller: CallerDep,
    uow: ReadUow,
    state: FilingState | None = None,
    form: Annotated[str | None, Query(pattern=CODE)] = None,
    overdue: bool | None = None,
    after: After = 0,
    limit: Limit = 100,
) -> FilingPage:
    items = queries.list_filings(
        uow.session, caller, state=state, form=form, overdue=overdue, after=after, limit=limit
    )
    return FilingPage(items=items, next_after=items[-1].id if len(items) == limit else None)


@router.post(
    "/filings",
    status_code=201,
    summary="Draft a filing (a bank or an enterprise) of a form, with its first content",
    responses={404: {"description": "no such form in force"}},
)
def create_filing(data: FilingIn, write: WriterDep, settings: SettingsDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        filing, receipt = drafting.create_filing(uow, write.caller, data, settings)
        return _detail(uow, write.caller, filing.id), receipt

    return write(run, status=201)


@router.get(
    "/filings/{filing_id}",
    response_model=FilingDetailOut,
    summary="One filing: versions, steps, attachments' metadata, deadline",
)
def get_filing(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> FilingDetailOut:
    return queries.filing_detail(uow.session, caller, filing_id)


def move(filing_id: int, write: Writer, step: Step) -> Response:
    """One workflow step in the request's transaction; the answer is the whole filing."""

    def run(uow: UnitOfWork) -> WriteResult:
        filing, receipt = step(uow, write.caller, filing_id)
        return _detail(uow, write.caller, filing.id), receipt

    return write(run, status=200)


@router.post("/filings/{filing_id}/submit", summary="Submit the draft (filer)", responses=_SUBMIT)
def submit(filing_id: PathId, data: SubmitIn, write: WriterDep, settings: SettingsDep) -> Response:
    return move(filing_id, write, lambda u, c, i: workflow.submit(u, c, i, data, settings))


@router.post("/filings/{filing_id}/accept", summary="Acknowledge it (regulator)", responses=_MOVES)
def accept(filing_id: PathId, write: WriterDep) -> Response:
    return move(filing_id, write, workflow.accept)


@router.post(
    "/filings/{filing_id}/return",
    summary="Return it for supplement (regulator); the clock pauses",
    responses=_MOVES,
)
def return_(filing_id: PathId, data: ReasonIn, write: WriterDep) -> Response:
    return move(
        filing_id, write, lambda u, c, i: workflow.return_for_supplement(u, c, i, data.reason)
    )


@router.post(
    "/filings/{filing_id}/resubmit",
    summary="Supply what was asked (filer): a new version; the clock resumes",
    responses=_SUBMIT,
)
def resubmit(
    filing_id: PathId, data: SubmitIn, write: WriterDep, settings: SettingsDep
) -> Response:
    return move(filing_id, write, lambda u, c, i: workflow.resubmit(u, c, i, data, settings))


@router.post(
    "/filings/{filing_id}/review", summary="Start the review (regulator)", responses=_MOVES
)
def review(filing_id: PathId, data: NoteIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: workflow.review(u, c, i, data.note))


@router.post(
    "/filings/{filing_id}/decide", summary="Decide, with reasons (regulator)", responses=_MOVES
)
def decide(filing_id: PathId, data: OutcomeIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: workflow.decide(u, c, i, data))


@router.post(
    "/filings/{filing_id}/close", summary="Close, with an outcome (regulator)", responses=_MOVES
)
def close(filing_id: PathId, data: OutcomeIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: workflow.close(u, c, i, data))


@router.post(
    "/filings/{filing_id}/withdraw", summary="Withdraw before a decision (filer)", responses=_MOVES
)
def withdraw(filing_id: PathId, data: NoteIn, write: WriterDep) -> Response:
    return move(filing_id, write, lambda u, c, i: workflow.withdraw(u, c, i, data.note))


@dataclass(frozen=True)
class Upload:
    name: str
    media_type: str
    data: bytes
    material: str | None = None


async def upload_of(
    request: Request,
    name: Annotated[str | None, Query(max_length=200)] = None,
    material: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z][a-z0-9_]{0,31}$",
            description="A licence's required material this file is (its form's `materials`)",
        ),
    ] = None,
) -> Upload:
    """The file of a multipart body (field `file`), or the raw body named by `?name=`."""
    media = request.headers.get("content-type", "")
    body = await request.body()  # cached first: the idempotency fingerprint reads it too
    if media.startswith("multipart/form-data"):
        try:
            form = await request.form()
        except HTTPException:  # Starlette's answer to a malformed multipart body
            raise invalid("file", "not a readable multipart body") from None
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise invalid("file", "a multipart body needs a `file` part")
        data = await file.read()
        return Upload(file.filename or "", file.content_type or "", data, material)
    if not name:
        raise invalid("name", "a raw body needs ?name= (the file's name)")
    return Upload(name, media, body, material)


@router.post(
    "/filings/{filing_id}/attachments",
    status_code=201,
    summary="Attach a file to the current version (filer): multipart or raw body",
    openapi_extra=_ATTACH_BODY,
    responses=_MOVES | {422: {"description": "`/validation` naming the limit broken"}},
)
def add_attachment(
    filing_id: PathId, upload: Annotated[Upload, Depends(upload_of)], write: WriterDep
) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        found, receipt = attachments.attach(
            uow,
            write.caller,
            filing_id,
            upload.name,
            upload.media_type,
            upload.data,
            upload.material,
        )
        return AttachmentOut.model_validate(found), receipt

    return write(run, status=201)


@router.get(
    "/filings/{filing_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
    summary="One attachment's bytes (X-Content-SHA256 carries its digest)",
)
def get_attachment(
    filing_id: PathId, attachment_id: PathId, caller: CallerDep, uow: ReadUow
) -> Response:
    found = attachments.attachment_of(uow.session, caller, filing_id, attachment_id)
    headers = {
        "X-Content-SHA256": found.sha256,
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"attachment; filename*=UTF-8''{_quoted(found.name)}",
    }
    return Response(found.data, media_type=found.media_type, headers=headers)


def _quoted(name: str) -> str:
    return quote(name, safe="")
