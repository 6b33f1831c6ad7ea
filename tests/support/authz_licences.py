"""The authorization matrix's requests for licensing (filings/licences).

Each relation's world has applications by its enterprise (own: E, 440305; other: H;
consented: F; other_jurisdiction: G, 310115 under regulator S) for a special FX account,
with every material, made through the services and moved to the state each request
needs. So enterprise E reads its own, regulator R the three under 440000, nobody else
any; the public register and verification answer everyone, without a key or login.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossfin.filings import attachments, drafting, workflow
from crossfin.filings.builtin import load_builtin
from crossfin.filings.schemas import FilingIn, OutcomeIn, SubmitIn
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR

if TYPE_CHECKING:
    from support.authz import Route, Spec, Who, World

FORM = "LIC-SPECIAL-ACCOUNT"
MATERIALS = ("application_form", "business_licence", "account_purpose")
PDF = b"%PDF-1.7\n%%EOF\n"
CONTENT = {"applicant_name": "matrix", "contact": "matrix", "summary": "matrix"}
UNTIL = {
    "drafted": [],
    "submitted": ["submit"],
    "accepted": ["submit", "accept"],
    "decided": ["submit", "accept", "review", "decide"],
}


def ensure_types(w: World) -> None:
    with UnitOfWork(w.db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()


def application(w: World, rel: str, state: str = "submitted") -> int:
    """A new application of `rel`'s enterprise moved to `state`."""
    from support.authz import WORLDS

    ensure_types(w)
    firm = w.acting[WORLDS[rel][0]]
    regulator = w.acting["S" if rel == "other_jurisdiction" else "R"]
    data = FilingIn(form=FORM, content=CONTENT)
    fid = int(w._run(firm, lambda uow: drafting.create_filing(uow, firm, data)[0].id))
    for m in MATERIALS:
        w._run(
            firm,
            lambda uow, m=m: attachments.attach(
                uow, firm, fid, f"{m}.pdf", "application/pdf", PDF, m
            ),
        )
    outcome = OutcomeIn(outcome="approved", reasons="matrix")
    moves: dict[str, tuple[Any, Any]] = {
        "submit": (firm, lambda uow: workflow.submit(uow, firm, fid, SubmitIn())),
        "accept": (regulator, lambda uow: workflow.accept(uow, regulator, fid)),
        "review": (regulator, lambda uow: workflow.review(uow, regulator, fid, None)),
        "decide": (regulator, lambda uow: workflow.decide(uow, regulator, fid, outcome)),
    }
    for action in UNTIL[state]:
        who, move = moves[action]
        w._run(who, move)
    return fid


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import _NO_ID, MISSING, Req, Spec, _fresh_post, _get

    def kept(prefix: str, state: str, suffix: str = "") -> Spec:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            fid = _NO_ID if rel == MISSING else w.fresh(r, rel, lambda: application(w, rel, state))
            return Req("GET", f"{prefix}/{fid}{suffix}", ident=str(fid))

        return Spec(build, record=True)

    def moved(fmt: str, state: str, body: Any, page: bool = False) -> Spec:
        return _fresh_post(fmt, lambda w, rel: application(w, rel, state), body, page=page)

    def with_types(url: str, method: str = "GET", data: Any = None) -> Any:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            ensure_types(w)
            req = Req(method, url)
            if data is not None:
                req.data = dict(data)
            return req

        return build

    def material(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "", ident=str(_NO_ID))
        value = (
            _NO_ID
            if rel == MISSING
            else w.fresh(r, rel, lambda: application(w, rel, "drafted"), req=req)
        )
        req.url, req.ident = f"/licences/{value}/materials", str(value)
        req.data = {"material": "application_form"}
        req.files = {"file": ("a.pdf", PDF, "application/pdf")}
        return req

    extend = {"reason": "matrix", "approver": "matrix"}
    return {
        ("GET", "/v1/licences/{filing_id}"): kept("/v1/licences", "submitted"),
        ("GET", "/v1/licences/{filing_id}/decision.pdf"): kept(
            "/v1/licences", "decided", "/decision.pdf"
        ),
        ("POST", "/v1/licences/{filing_id}/extend"): moved(
            "/v1/licences/{}/extend", "accepted", extend
        ),
        ("GET", "/v1/public/licences"): Spec(with_types("/v1/public/licences?q=matrix")),
        ("GET", "/v1/public/licences/verify/{code}"): Spec(
            _get("/v1/public/licences/verify/LV-2222-2222-2222")
        ),
        # -- the portal
        ("GET", "/licences/register"): Spec(with_types("/licences/register?q=matrix")),
        ("GET", "/licences/verify"): Spec(_get("/licences/verify?code=LV-2222-2222-2222")),
        ("GET", "/licences"): Spec(with_types("/licences")),
        ("POST", "/licences"): Spec(with_types("/licences", "POST", {"type": FORM, **CONTENT})),
        ("GET", "/licences/{filing_id}"): kept("/licences", "submitted"),
        ("GET", "/licences/{filing_id}/decision.pdf"): kept(
            "/licences", "decided", "/decision.pdf"
        ),
        ("POST", "/licences/{filing_id}/materials"): Spec(material, record=True),
        ("POST", "/licences/{filing_id}/step"): moved(
            "/licences/{}/step", "submitted", {"action": "accept"}, page=True
        ),
        ("POST", "/licences/{filing_id}/extend"): moved(
            "/licences/{}/extend", "accepted", extend, page=True
        ),
        ("POST", "/licences/{filing_id}/decide"): moved(
            "/licences/{}/decide", "accepted", {"outcome": "approved", "reasons": "m"}, page=True
        ),
    }
