"""The authorization matrix's requests for filings.

Each relation's world has filings by its bank about its enterprise's county (own: bank A
on 440305; other and consented: bank B on 440305; other_jurisdiction: bank B on 310115,
under regulator S), made through the services with the matrix form. Reads name one kept
submitted filing per relation (with an attachment); each write takes a fresh filing in
the state the move starts from. So bank A reads its own, regulator R the three under
440000, and nobody else any (docs/filings.md, "Visibility"; the chain's head office and
sibling branches are tested in tests/filings/test_visibility.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from crossfin.filings import attachments, drafting, workflow
from crossfin.filings.catalogue import set_form
from crossfin.filings.schemas import FilingIn, FormIn, OutcomeIn, SubmitIn
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR

if TYPE_CHECKING:
    from support.authz import Build, Req, Route, Spec, Who, World

FORM = "MATRIX-FORM"
PDF = b"%PDF-1.7\n%%EOF\n"
COUNTY = {"own": "440305", "other": "440305", "consented": "440305"}
CONTENT = {"period": "2026-11"}


def ensure_form(w: World) -> None:
    """The matrix's form (loading it again as it is changes nothing)."""
    data = FormIn(
        code=FORM,
        version=1,
        system="licence",  # type: ignore[arg-type]
        name_zh="矩阵表",
        name_en="Matrix form",
        definition={"required": ["period"]},
        media_types=["application/pdf"],
        effective_from=date(2026, 1, 1),
    )
    with UnitOfWork(w.db, TEST_ACTOR) as uow:
        set_form(uow, data)
        uow.commit()


def filing(w: World, rel: str, state: str = "submitted") -> int:
    """A new filing of `rel`'s world moved to `state`."""
    from support.authz import WORLDS

    ensure_form(w)
    bank = w.acting[WORLDS[rel][1]]
    regulator = w.acting["S" if rel == "other_jurisdiction" else "R"]
    data = FilingIn(form=FORM, jurisdiction=COUNTY.get(rel, "310115"), content=CONTENT)
    fid = int(w._run(bank, lambda uow: drafting.create_filing(uow, bank, data)[0].id))
    w._run(bank, lambda uow: attachments.attach(uow, bank, fid, "a.pdf", "application/pdf", PDF))
    moves: list[tuple[Any, Any]] = [
        (bank, lambda uow: workflow.submit(uow, bank, fid, SubmitIn())),
    ]
    if state in ("accepted", "under_review"):
        moves.append((regulator, lambda uow: workflow.accept(uow, regulator, fid)))
    if state == "under_review":
        moves.append((regulator, lambda uow: workflow.review(uow, regulator, fid, None)))
    if state == "returned":
        moves.append(
            (regulator, lambda uow: workflow.return_for_supplement(uow, regulator, fid, "more"))
        )
    for who, move in moves if state != "drafted" else []:
        w._run(who, move)
    return fid


def ensure_builtin(w: World) -> None:
    """The shipped statistics forms (EFAL-M), for the regulator views."""
    from crossfin.filings.builtin import load_builtin

    with UnitOfWork(w.db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()


def _attachment_of(w: World, fid: int) -> int:
    from sqlalchemy import select

    from crossfin.filings.models import FilingAttachment

    with w.db.session(readonly=True) as session:
        query = select(FilingAttachment.id).where(FilingAttachment.filing_id == fid)
        return int(session.scalars(query).one())


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import MISSING, Req, Spec, _fresh_post

    def kept_read(suffix: str = "", attachment: bool = False, root: str = "/v1") -> Spec:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            fid = 987654 if rel == MISSING else w.fresh(r, rel, lambda: filing(w, rel))
            tail = suffix
            if attachment:
                tail += f"/{987653 if rel == MISSING else _attachment_of(w, fid)}"
            return Req("GET", f"{root}/filings/{fid}{tail}", ident=str(fid))

        return Spec(build, record=True)

    def moved(action: str, state: str, body: Any = None) -> Spec:
        return _fresh_post(f"/v1/filings/{{}}/{action}", lambda w, rel: filing(w, rel, state), body)

    def attach(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "", headers={"Content-Type": "application/pdf"}, content=PDF)
        fid = (
            987654
            if rel == MISSING
            else w.fresh(r, rel, lambda: filing(w, rel, "drafted"), req=req)
        )
        req.url, req.ident = f"/v1/filings/{fid}/attachments?name=a.pdf", str(fid)
        return req

    def with_form(url: str, method: str = "GET", body: Any = None) -> Build:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            ensure_form(w)
            return Req(method, url, json=body)

        return build

    def page_attach(w: World, r: Route, who: Who | None, rel: str) -> Req:
        req = Req("POST", "", data={}, files={"file": ("a.pdf", PDF, "application/pdf")})
        fid = (
            987654
            if rel == MISSING
            else w.fresh(r, rel, lambda: filing(w, rel, "drafted"), req=req)
        )
        req.url, req.ident = f"/filings/{fid}/attachments", str(fid)
        return req

    def with_builtin(url: str) -> Build:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            ensure_builtin(w)
            return Req("GET", url)

        return build

    views = "?form=EFAL-M&period=2026-10"
    outcome = OutcomeIn(outcome="done", reasons="matrix").model_dump()
    new = {"form": FORM, "jurisdiction": None, "content": CONTENT}
    return {
        ("GET", "/v1/filing-forms"): Spec(with_form("/v1/filing-forms")),
        ("GET", "/v1/filing-forms/{code}"): Spec(with_form(f"/v1/filing-forms/{FORM}")),
        ("GET", "/v1/filings"): Spec(with_form("/v1/filings")),
        ("POST", "/v1/filings"): Spec(with_form("/v1/filings", "POST", new)),
        ("GET", "/v1/filings/{filing_id}"): kept_read(),
        ("GET", "/v1/filings/{filing_id}/attachments/{attachment_id}"): kept_read(
            "/attachments", attachment=True
        ),
        ("POST", "/v1/filings/{filing_id}/attachments"): Spec(attach, record=True),
        ("POST", "/v1/filings/{filing_id}/submit"): moved("submit", "drafted", {}),
        ("POST", "/v1/filings/{filing_id}/accept"): moved("accept", "submitted"),
        ("POST", "/v1/filings/{filing_id}/return"): moved("return", "submitted", {"reason": "x"}),
        ("POST", "/v1/filings/{filing_id}/resubmit"): moved("resubmit", "returned", {}),
        ("POST", "/v1/filings/{filing_id}/review"): moved("review", "accepted", {}),
        ("POST", "/v1/filings/{filing_id}/decide"): moved("decide", "under_review", outcome),
        ("POST", "/v1/filings/{filing_id}/close"): moved("close", "submitted", outcome),
        ("POST", "/v1/filings/{filing_id}/withdraw"): moved("withdraw", "submitted", {}),
        # The regulator views (regulators only) and the portal pages.
        ("GET", "/v1/filings/completeness"): Spec(with_builtin("/v1/filings/completeness" + views)),
        ("GET", "/v1/filings/aggregates"): Spec(with_builtin("/v1/filings/aggregates" + views)),
        ("GET", "/filings/completeness"): Spec(with_builtin("/filings/completeness" + views)),
        ("GET", "/filings/aggregates"): Spec(with_builtin("/filings/aggregates" + views)),
        ("GET", "/filings"): Spec(with_form("/filings")),
        ("GET", "/filings/{filing_id}"): kept_read(root=""),
        ("GET", "/filings/{filing_id}/attachments/{attachment_id}"): kept_read(
            "/attachments", attachment=True, root=""
        ),
        ("POST", "/filings/{filing_id}/attachments"): Spec(page_attach, record=True),
        ("POST", "/filings/{filing_id}/{action}"): _fresh_post(
            "/filings/{}/accept", lambda w, rel: filing(w, rel, "submitted"), page=True
        ),
    }
