"""The authorization matrix's requests for notifications (parties/notifications) and
principals' e-mail addresses. A notice of a relation is an org-wide notice to the
organization that relation names (own: the caller's): only that organization reads it."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from support.authz import Req, Route, Spec, Who, World

_seq = itertools.count(1)


def notice(w: World, org_name: str) -> int:
    from crossfin.parties.notifications.service import Bilingual, notify

    with w.db.session() as session:
        row = notify(
            session,
            org_id=w.org[org_name],
            kind="matrix:notice",
            subject=Bilingual("矩阵通知", "matrix notice"),
            body=Bilingual("矩阵", "matrix"),
            link=None,
        )
        session.commit()
        return int(row.id)


def _mark(prefix: str, page: bool) -> Spec:
    from support.authz import _NO_ID, MISSING, Req, Spec

    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "", ident=str(_NO_ID))
        if rel != MISSING:
            org = w.org_name_for(who, rel)
            value = w.fresh(r, rel, lambda: notice(w, org), org, req=req)
        else:
            value = _NO_ID
        req.url, req.ident = f"{prefix}/{value}/read", str(value)
        if page:
            req.data = {}
        else:
            req.json = {}
        return req

    return Spec(build, record=True)


def _email(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import _NO_ID, MISSING, Req

    principal = _NO_ID if rel == MISSING else w.robot[w.org_name_for(who, rel)]
    body = {"email": f"matrix{next(_seq)}@example.cn"}
    return Req("PUT", f"/v1/principals/{principal}/email", json=body, ident=str(principal))


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import Spec, _get

    return {
        ("GET", "/v1/notifications"): Spec(_get("/v1/notifications")),
        ("POST", "/v1/notifications/{notification_id}/read"): _mark("/v1/notifications", False),
        ("PUT", "/v1/principals/{principal_id}/email"): Spec(_email, record=True),
        # -- the portal
        ("GET", "/notifications"): Spec(_get("/notifications")),
        ("POST", "/notifications/{notification_id}/read"): _mark("/notifications", True),
    }
