"""HTTP routes of notifications: the caller's inbox and marking a notice read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from crossfin.core.http.params import PathId
from crossfin.core.http.writes import own_inbox
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.http import CallerDep, ReadUow, WriterDep, WriteResult
from crossfin.parties.notifications import service
from crossfin.parties.notifications.background import sender_lifespan
from crossfin.parties.notifications.schemas import InboxOut, NotificationOut

# The lifespan runs the mail sender while the app serves (when SMTP is configured).
router = APIRouter(prefix="/v1", tags=["notifications"], lifespan=sender_lifespan)


@router.get(
    "/notifications",
    response_model=InboxOut,
    summary="The caller's notifications (its own and its organization's), newest first",
)
def inbox(
    caller: CallerDep,
    uow: ReadUow,
    unread: Annotated[bool, Query(description="Only the notices not yet read")] = False,
    before: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InboxOut:
    items = service.inbox(uow.session, caller, unread_only=unread, before=before, limit=limit)
    return InboxOut(
        items=[NotificationOut.of(item) for item in items],
        unread=service.unread_count(uow.session, caller),
        next_before=items[-1].notification.id if len(items) == limit else None,
    )


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationOut,
    responses={404: {"description": "No such notification addressed to the caller"}},
    summary="Mark a notification read by the caller (idempotent; no ledger event)",
)
@own_inbox  # auditors read their notices too; the service checks they are the caller's
def mark_read(notification_id: PathId, caller: CallerDep, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        return NotificationOut.of(service.mark_read(uow.session, caller, notification_id)), None

    return write(run, status=200)
