"""The authorization matrix's requests for risk reports and drafts (filings/risk/routes.py
and pages.py, filings/drafts.py).

Each relation's world gets risk reports by its bank (own: bank A on 440305; other and
consented: bank B on 440305; other_jurisdiction: bank B on 310115, under regulator S),
drafted through the services with the shipped RISK-REPORT form. The matrix's banks have
no parent, so each is its own head office: it files its reports itself, and sending one
of its own drafts back is 409 (no branch); branches are tested in
tests/filings/test_risk_flow.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crossfin.core.clock import business_date
from crossfin.filings import drafting, workflow
from crossfin.filings.builtin import load_builtin
from crossfin.filings.schemas import FilingIn, SubmitIn
from crossfin.ledger.uow import UnitOfWork
from support.authz_filings import COUNTY, filing
from support.parties import TEST_ACTOR
from support.risk import RISK_FORM, report_input

if TYPE_CHECKING:
    from support.authz import Req, Route, Spec, Who, World

PAGE_FORM = {
    "category": "underground_banking",
    "discovered_on": "2026-11-10",
    "subject_kind_0": "enterprise",
    "subject_name_0": "深圳市鹏程进出口贸易有限公司",
    "subject_uscc_0": "91440300MA5FUTXB7R",
    "tx_date_0": "2026-11-03",
    "tx_amount_0": "480000.00",
    "tx_currency_0": "USD",
    "tx_counterparty_0": "Harbour Star Trading Ltd",
    "tx_country_0": "HK",
    "tx_channel_0": "cross_border_remittance",
    "narrative": "Many small remittances gathered from personal accounts, sent the same day.",
    "branch_name": "Matrix branch",
    "contact_name": "Li Na",
    "contact_phone": "+86 755 8888 0000",
}


def risk_filing(w: World, rel: str, state: str = "submitted") -> int:
    """A new risk report of `rel`'s world, drafted, or filed by its bank."""
    from support.authz import WORLDS

    with UnitOfWork(w.db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()
    bank = w.acting[WORLDS[rel][1]]
    discovered = (business_date() - timedelta(days=3)).isoformat()
    content = report_input(links=[], discovered_on=discovered)
    data = FilingIn(form=RISK_FORM, jurisdiction=COUNTY.get(rel, "310115"), content=content)
    fid = int(w._run(bank, lambda uow: drafting.create_filing(uow, bank, data, w.settings)[0].id))
    if state == "submitted":
        w._run(bank, lambda uow: workflow.submit(uow, bank, fid, SubmitIn(), w.settings))
    return fid


def specs() -> dict[tuple[str, str], Spec]:
    from support.authz import MISSING, Req, Spec, _fresh_post, _get

    def kept(fmt: str) -> Spec:
        def build(w: World, r: Route, who: Who | None, rel: str) -> Req:
            value = 987654 if rel == MISSING else w.fresh(r, rel, lambda: risk_filing(w, rel))
            return Req("GET", fmt.format(value), ident=str(value))

        return Spec(build, record=True)

    def drafted(w: World, rel: str) -> Any:
        return risk_filing(w, rel, "drafted")

    def page_draft(w: World, r: Route, who: Who | None, rel: str) -> Req:
        with UnitOfWork(w.db, TEST_ACTOR) as uow:
            load_builtin(uow)
            uow.commit()
        return Req("POST", "/filings/risk/new", data=dict(PAGE_FORM))

    revise = {"content": {"period": "2026-11"}}
    return {
        ("GET", "/v1/filings/{filing_id}/risk-report.xml"): kept("/v1/filings/{}/risk-report.xml"),
        ("GET", "/v1/filings/{filing_id}/risk-report.json"): kept(
            "/v1/filings/{}/risk-report.json"
        ),
        ("GET", "/v1/filings/{filing_id}/risk-report/links"): kept(
            "/v1/filings/{}/risk-report/links"
        ),
        ("POST", "/v1/filings/{filing_id}/revise"): _fresh_post(
            "/v1/filings/{}/revise", lambda w, rel: filing(w, rel, "drafted"), revise
        ),
        ("POST", "/v1/filings/{filing_id}/send-back"): _fresh_post(
            "/v1/filings/{}/send-back", drafted, {"note": "x"}
        ),
        ("GET", "/filings/risk"): Spec(_get("/filings/risk")),
        ("GET", "/filings/risk/new"): Spec(_get("/filings/risk/new")),
        ("POST", "/filings/risk/new"): Spec(page_draft),
        ("GET", "/filings/risk/{filing_id}"): kept("/filings/risk/{}"),
        ("POST", "/filings/risk/{filing_id}/file"): _fresh_post(
            "/filings/risk/{}/file", drafted, page=True
        ),
        ("POST", "/filings/risk/{filing_id}/send-back"): _fresh_post(
            "/filings/risk/{}/send-back", drafted, {"note": "x"}, page=True
        ),
    }
