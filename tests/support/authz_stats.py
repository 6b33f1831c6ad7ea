"""The authorization matrix's requests for statistics filings (filings/statistics/routes.py
and pages.py; docs/filings.md, "Statistics filing").

Each relation's world files the shipped EFAL-M form the way authz_filings files its own
(own: bank A on 440305; other and consented: bank B on 440305; other_jurisdiction: bank B
on 310115, under regulator S), by upload through `uploads.draft_upload`, as the API does.
The period is October 2026, due on 13 November 2026: a filing submitted after that is
locked whatever day the matrix runs, so the late-correction moves have their locked
filing, and drafts (never locked) take uploads. Reads name one kept submitted filing per
relation; each write takes a fresh filing in the state its move starts from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossfin.filings.builtin import load_builtin
from crossfin.filings.forms import load_form
from crossfin.filings.schemas import SubmitIn
from crossfin.filings.statistics import late, uploads
from crossfin.filings.workflow import submit
from crossfin.ledger.uow import UnitOfWork
from support.authz_filings import COUNTY
from support.parties import TEST_ACTOR
from support.stats_forms import monthly
from support.stats_sheets import filled_csv

if TYPE_CHECKING:
    from support.authz import Build, Req, Route, Spec, Who, World

FORM, PERIOD = "EFAL-M", "2026-10"
_NO_ID = 987654


def csv_file() -> bytes:
    """A clean EFAL-M report of the period as the CSV a filer uploads."""
    return filled_csv(load_form(FORM), monthly(period=PERIOD))


def ensure_forms(w: World) -> None:
    with UnitOfWork(w.db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()


def stats_filing(w: World, rel: str, state: str = "submitted") -> int:
    """A new EFAL-M filing of `rel`'s world: `drafted`, `submitted` (late, so locked) or
    `requested` (locked, a late correction asked)."""
    from support.authz import WORLDS

    ensure_forms(w)
    bank = w.acting[WORLDS[rel][1]]
    place = COUNTY.get(rel, "310115")

    def draft(uow: UnitOfWork) -> int:
        found = uploads.draft_upload(uow, bank, FORM, PERIOD, csv_file(), "csv", place)
        return int(found.filing.id)

    fid = int(w._run(bank, draft))
    if state in ("submitted", "requested"):
        w._run(bank, lambda uow: submit(uow, bank, fid, SubmitIn()))
    if state == "requested":
        w._run(bank, lambda uow: late.request(uow, bank, fid, "a booking error in A1"))
    return fid


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import MISSING, Req, Spec, _fresh_post

    def kept(fmt: str) -> Spec:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            fid = _NO_ID if rel == MISSING else w.fresh(r, rel, lambda: stats_filing(w, rel))
            return Req("GET", fmt.format(fid), ident=str(fid))

        return Spec(build, record=True)

    def upload(fmt: str, page: bool = False) -> Spec:
        """A file for a fresh draft: multipart on the portal, a raw body on the API."""

        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            req = Req("POST", "")
            make = lambda: stats_filing(w, rel, "drafted")  # noqa: E731
            fid = _NO_ID if rel == MISSING else w.fresh(r, rel, make, req=req)
            req.url, req.ident = fmt.format(fid), str(fid)
            if page:
                req.data, req.files = {}, {"file": ("efal.csv", csv_file(), "text/csv")}
            else:
                req.url += "?name=efal.csv"
                req.content, req.headers = csv_file(), {"Content-Type": "text/csv"}
            return req

        return Spec(build, record=True)

    def fresh(fmt: str, state: str, body: Any = None, page: bool = False) -> Spec:
        return _fresh_post(fmt, lambda w, rel: stats_filing(w, rel, state), body, page)

    def new_draft(page: bool) -> Build:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            ensure_forms(w)
            if page:
                files = {"file": ("efal.csv", csv_file(), "text/csv")}
                return Req("POST", "/filings/statistics", data=_CHOICE, files=files)
            url = f"/v1/statistics/uploads?form={FORM}&period={PERIOD}&name=efal.csv"
            return Req("POST", url, content=csv_file(), headers={"Content-Type": "text/csv"})

        return build

    def with_forms(url: str) -> Build:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            ensure_forms(w)
            return Req("GET", url)

        return build

    api = "/v1/filings/{}"
    return {
        ("POST", "/v1/statistics/uploads"): Spec(new_draft(page=False)),
        ("POST", "/v1/filings/{filing_id}/upload"): upload(api + "/upload"),
        ("GET", "/v1/filings/{filing_id}/statistics"): kept(api + "/statistics"),
        ("GET", "/v1/filings/{filing_id}/report.csv"): kept(api + "/report.csv"),
        ("GET", "/v1/filings/{filing_id}/report.xlsx"): kept(api + "/report.xlsx"),
        ("POST", "/v1/filings/{filing_id}/late-correction"): fresh(
            api + "/late-correction", "submitted", {"reason": "a booking error in A1"}
        ),
        ("POST", "/v1/filings/{filing_id}/late-correction/approve"): fresh(
            api + "/late-correction/approve", "requested", {}
        ),
        ("POST", "/v1/filings/{filing_id}/late-correction/refuse"): fresh(
            api + "/late-correction/refuse", "requested", {"note": "the deadline stands"}
        ),
        # The portal pages: the same use cases, a form's answer is a redirect.
        ("GET", "/filings/statistics"): Spec(with_forms("/filings/statistics")),
        ("POST", "/filings/statistics"): Spec(new_draft(page=True)),
        ("GET", "/filings/statistics/{filing_id}"): kept("/filings/statistics/{}"),
        ("GET", "/filings/statistics/{filing_id}/report.{fmt}"): kept(
            "/filings/statistics/{}/report.xlsx"
        ),
        ("POST", "/filings/statistics/{filing_id}/upload"): upload(
            "/filings/statistics/{}/upload", page=True
        ),
        ("POST", "/filings/statistics/{filing_id}/submit"): fresh(
            "/filings/statistics/{}/submit", "drafted", page=True
        ),
        ("POST", "/filings/statistics/{filing_id}/late-correction"): fresh(
            "/filings/statistics/{}/late-correction",
            "submitted",
            {"reason": "a booking error in A1"},
            page=True,
        ),
    }


_CHOICE = {"form": FORM, "period": PERIOD}
