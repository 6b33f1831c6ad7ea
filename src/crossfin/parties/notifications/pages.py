"""The portal inbox: the caller's unread notices first, then the latest read ones; marking
one read (and opening its link). The same functions as the API (service.inbox, mark_read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from crossfin.core.http.params import PathId
from crossfin.core.http.writes import own_inbox
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.render import redirect, render
from crossfin.parties.notifications import service
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write

router = APIRouter()
# No menu entry: the header links here with the unread count on every page (base.html).
UNREAD_SHOWN = 200
READ_SHOWN = 50


@router.get("/notifications", summary="The caller's notifications, unread first")
def inbox(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    unread = service.inbox(uow.session, caller, unread_only=True, limit=UNREAD_SHOWN)
    latest = service.inbox(uow.session, caller, limit=READ_SHOWN + len(unread))
    read = [item for item in latest if item.read_at is not None][:READ_SHOWN]
    return render(request, "notifications/inbox.html", {"unread": unread, "read": read})


@router.post("/notifications/{notification_id}/read", summary="Mark a notification read")
@own_inbox  # auditors read their notices too; the service checks they are the caller's
def mark_read(
    request: Request,
    notification_id: PathId,
    caller: PortalCallerDep,
    _: CsrfDep,
    open_link: Annotated[bool, Form()] = False,
) -> Response:
    item = run_write(
        request, caller, lambda uow: service.mark_read(uow.session, caller, notification_id)
    )
    link = item.notification.link
    if open_link and link:
        return redirect(request, link)
    return redirect(request, "/notifications", flash=("success", N_("Marked as read.")))
