"""HTTP routes of licensing: an application with both clocks, the extension, the decision
PDF (both sides), and the public register and verification (no key; limited per client
address). Applying, materials, acceptance, supplement, rejection, decision and
withdrawal are the generic filings routes (docs/filings.md)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crossfin.core.errors import RateLimited
from crossfin.core.http.deps import SettingsDep, request_session
from crossfin.core.http.params import After, PathId
from crossfin.filings.licences import register, service
from crossfin.filings.licences.decision import decision_pdf
from crossfin.filings.licences.schemas import ExtendIn, LicenceOut, RegisterEntry, RegisterPage
from crossfin.filings.schemas import CODE
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult

router = APIRouter(prefix="/v1", tags=["licences"])
_ONE: dict[int | str, dict[str, Any]] = {
    404: {"description": "`/not-found`: no licence application the caller reads"}
}
_EXTEND: dict[int | str, dict[str, Any]] = _ONE | {
    403: {"description": "`/forbidden`: only a covering regulator extends"},
    409: {"description": "`/conflict`: the review is not running, or was extended already"},
}


async def public_session(
    request: Request, session: Annotated[Session, Depends(request_session)]
) -> Session:
    """A read-only session for an anonymous caller, within the read rate limit counted per
    client address (429 `/rate-limited` with Retry-After beyond it)."""
    limiter = getattr(request.app.state, "rate_limiter", None)
    address = request.client.host if request.client else "unknown"
    # The limiter keys 16 characters: a digest of the address, never the address itself.
    key = "ip" + hashlib.sha256(address.encode()).hexdigest()[:14]
    if limiter is not None:
        refusal = await run_in_threadpool(limiter.check, key, "read")
        if refusal is not None:
            raise RateLimited(
                f"{refusal.limit} public requests per {refusal.window_seconds} s from one "
                f"address; retry after {refusal.retry_after} s",
                refusal.retry_after,
                route_class="read",
            )
    return session


PublicSession = Annotated[Session, Depends(public_session)]


@router.get(
    "/licences/{filing_id}",
    response_model=LicenceOut,
    summary="A licence application: materials, both clocks, history (both sides)",
    responses=_ONE,
)
def get_licence(filing_id: PathId, caller: CallerDep, uow: ReadUow) -> LicenceOut:
    return service.licence_view(uow.session, caller, filing_id)


@router.post(
    "/licences/{filing_id}/extend",
    summary="Extend the decision clock once, with the approval (covering regulator)",
    responses=_EXTEND,
)
def extend(filing_id: PathId, data: ExtendIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        filing, receipt = service.extend(uow, write.caller, filing_id, data)
        return service.licence_view(uow.session, write.caller, filing.id), receipt

    return write(run, status=200)


@router.get(
    "/licences/{filing_id}/decision.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        409: {"description": "`/conflict`: not decided yet"},
        **_ONE,
    },
    summary="The decision as a PDF with its verification code and ledger receipt",
)
def get_decision_pdf(
    filing_id: PathId, caller: CallerDep, uow: ReadUow, settings: SettingsDep
) -> Response:
    body = decision_pdf(uow.session, caller, filing_id, settings.witness_quorum)
    return pdf_response(body, filing_id)


def pdf_response(body: bytes, filing_id: int) -> Response:
    """A decision's PDF, as a download (API and portal)."""
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="licence-{filing_id}.pdf"'},
    )


@router.get(
    "/public/licences",
    response_model=RegisterPage,
    summary="The public register of licence decisions (no key needed)",
)
def public_register(
    session: PublicSession,
    q: Annotated[str | None, Query(max_length=100, examples=["鹏程"])] = None,
    type: Annotated[str | None, Query(pattern=CODE, examples=["LIC-FX-SETTLEMENT"])] = None,
    decision: Annotated[str | None, Query(pattern=r"^(approved|refused)$")] = None,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RegisterPage:
    items, cursor = register.search(session, q, type, decision, after, limit)
    return RegisterPage(items=items, next_after=cursor)


@router.get(
    "/public/licences/verify/{code}",
    response_model=RegisterEntry,
    summary="Confirm a decision PDF's verification code (no key needed)",
    responses={404: {"description": "`/not-found`: no decision has this code"}},
)
def verify(code: str, session: PublicSession) -> Any:
    return register.verify(session, code)
