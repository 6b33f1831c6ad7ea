"""The authorization matrix's requests for class management (parties/classes)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from support.authz import Req, Route, Spec, Who, World

_seq = itertools.count(1)


def _csv(uscc: str) -> bytes:
    return f"uscc,class,reason\n{uscc},B,matrix import {next(_seq)}\n".encode()


def class_import(w: World, rel: str) -> int:
    """An import by the regulator over the world (R for own, S elsewhere): only the
    regulator that made it reads its report."""
    from crossfin.parties.classes.imports import import_classes
    from support.authz import WORLDS

    firm = WORLDS[rel][0]
    regulator = w.acting["R" if rel == "own" else "S"]
    content = _csv(w.uscc[firm])
    report = w._run(regulator, lambda uow: import_classes(uow, regulator, content))
    return int(report.import_id)


def _org_page(method: str) -> Spec:
    from support.authz import _NO_ID, MISSING, Req, Spec

    def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
        org = _NO_ID if rel == MISSING else w.org[w.org_name_for(who, rel)]
        data = {"trade_class": "B", "reason": f"matrix {next(_seq)}"} if method == "POST" else None
        return Req(method, f"/classes/{org}", data=data, ident=str(org))

    return Spec(build, record=True)


def _import(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import Req

    return Req(
        "POST",
        "/v1/classes/import",
        content=_csv(w.uscc["E"]),
        headers={"Content-Type": "text/csv"},
    )


def _import_page(w: World, r: Route, who: Who | None, rel: str) -> Req:
    from support.authz import Req

    return Req("POST", "/classes/import", data={}, files={"file": ("c.csv", _csv(w.uscc["E"]))})


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import Spec, _get, _org_route, _record_get

    return {
        ("POST", "/v1/orgs/{org_id}/classes"): _org_route(
            "POST", "/classes", lambda: {"trade_class": "B", "reason": f"matrix {next(_seq)}"}
        ),
        ("GET", "/v1/orgs/{org_id}/classes"): _org_route("GET", "/classes"),
        ("POST", "/v1/classes/import"): Spec(_import),
        ("GET", "/v1/classes/imports/{import_id}"): _record_get(
            "/v1/classes/imports/{}", "class_import"
        ),
        # -- the portal
        ("GET", "/classes"): Spec(_get("/classes")),
        ("GET", "/classes/import"): Spec(_get("/classes/import")),
        ("POST", "/classes/import"): Spec(_import_page),
        ("GET", "/classes/imports/{import_id}.csv"): _record_get(
            "/classes/imports/{}.csv", "class_import"
        ),
        ("GET", "/classes/{org_id}"): _org_page("GET"),
        ("POST", "/classes/{org_id}"): _org_page("POST"),
    }
