"""The ledger page: checkpoint, tree size over time, and a receipt checker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.responses import Response

from crossfin.core.http.deps import ReadSession, settings_of
from crossfin.core.http.participant import PortalParticipantDep
from crossfin.core.http.writes import read_only
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry
from crossfin.core.web.render import is_htmx, render
from crossfin.ledger import service
from crossfin.ledger.models import MAX_LEAF_INDEX
from crossfin.ledger.view import (
    MAX_BUNDLE,
    MAX_RECORD,
    Prefill,
    overview,
    prefill,
    retry_seconds,
    verify,
)

router = APIRouter()
NAV = [
    NavEntry(
        N_("Ledger"),
        "/ledger",
        order=900,
        description=N_("The log's latest signed checkpoint, its growth, and a receipt checker."),
    )
]
TEXT = "text/plain; charset=utf-8"
Index = Annotated[int, Path(ge=0, le=MAX_LEAF_INDEX)]


@router.get("/ledger", summary="The verifiable log: checkpoint, growth, receipt checker")
def ledger(
    request: Request,
    caller: PortalParticipantDep,
    session: ReadSession,
    index: Annotated[int | None, Query(ge=0, le=MAX_LEAF_INDEX)] = None,
) -> Response:
    settings = settings_of(request)
    form = prefill(session, settings, index) if index is not None else Prefill()
    return render(
        request,
        "ledger/ledger.html",
        {
            "view": overview(session, settings),
            "form": form,
            "index": index,
            "record": "",
            "outcome": None,
        },
    )


@router.post("/ledger/verify", summary="Verify a pasted receipt bundle")
@read_only  # checks a pasted bundle against the log; records nothing (auditors may)
def verify_form(
    request: Request,
    caller: PortalParticipantDep,
    session: ReadSession,
    _: CsrfDep,
    bundle: Annotated[str, Form(max_length=MAX_BUNDLE)] = "",
    record: Annotated[str, Form(max_length=MAX_RECORD)] = "",
    leaf_hash: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    settings = settings_of(request)
    outcome = verify(session, settings, bundle, record, leaf_hash)
    if is_htmx(request):
        return render(request, "ledger/_outcome.html", {"outcome": outcome})
    return render(
        request,
        "ledger/ledger.html",
        {
            "view": overview(session, settings),
            "index": None,
            "outcome": outcome,
            "form": Prefill(bundle=bundle, leaf_hash=leaf_hash),
            "record": record,
        },
    )


@router.get("/ledger/receipts/{index}", summary="Download a receipt bundle (tlog-proof)")
def receipt(
    request: Request, index: Index, caller: PortalParticipantDep, session: ReadSession
) -> Response:
    settings = settings_of(request)
    text = service.receipt_bundle(session, index, settings.witness_quorum, retry_seconds(settings))
    return Response(
        text,
        media_type=TEXT,
        headers={"Content-Disposition": f'attachment; filename="receipt-{index}.tlog-proof"'},
    )


@router.get("/ledger/entries/{index}", summary="Download a record you are entitled to read")
def entry(index: Index, caller: PortalParticipantDep, session: ReadSession) -> Response:
    record = service.entry(session, caller, index)
    return Response(
        record,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="record-{index}.json"'},
    )
