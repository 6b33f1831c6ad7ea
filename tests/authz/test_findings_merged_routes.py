"""What reviewing the matrix rows of the routes merged on 2026-12-05 found, each proved on
its own: the statistics pages answered a refusal with their form again (422) where the
rule is the portal's 403, and OpenAttestation's offline check, documented for any signed-in
caller, was closed to auditors."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.documents.access.models import Fingerprint
from crossfin.filings.models import Filing
from crossfin.parties.models import OrgKind, Role
from support.filings import make_world, post
from support.openattestation import dumps, invoice_batch
from support.parties import another_principal, make_party
from support.stats_filing import file_of, load_shipped, pin_days, upload_new
from support.stats_forms import monthly
from support.web import add_user, csrf_from, login

JSON = {"content-type": "application/json"}


def _portal(app: Any, db: Database, org_id: int) -> tuple[TestClient, str]:
    browser = TestClient(app)
    assert login(browser, add_user(db, org_id)).status_code == 303
    return browser, csrf_from(browser.get("/filings/statistics").text)


def _count(db: Database, model: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_statistics_pages_refuse_the_wrong_side_with_403(
    app: Any, client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = pin_days(monkeypatch, date(2026, 11, 5))
    load_shipped(db)
    world = make_world(db)
    fid = upload_new(client, world.branch, monthly(period="2026-10")).json()["filing"]["id"]
    assert post(client, world.branch, fid, "submit").status_code == 200
    move(date(2026, 11, 17))  # past the due date, 13 November: locked
    regulator, token = _portal(app, db, world.guangdong.org_id)
    assert regulator.get(f"/filings/statistics/{fid}").status_code == 200  # it reads it
    asked = regulator.post(
        f"/filings/statistics/{fid}/late-correction",
        data={"reason": "not mine to ask", "csrf_token": token},
    )
    assert asked.status_code == 403, asked.text  # the filer's move: it was a 422
    filings = _count(db, Filing)
    uploaded = regulator.post(
        "/filings/statistics",
        data={"form": "EFAL-M", "period": "2026-10", "csrf_token": token},
        files={"file": ("efal.csv", file_of(monthly(period="2026-10")), "text/csv")},
    )
    assert uploaded.status_code == 403, uploaded.text  # regulators file nothing: was 422
    assert _count(db, Filing) == filings
    outsider, token = _portal(app, db, world.other_bank.org_id)
    hidden = outsider.post(
        f"/filings/statistics/{fid}/late-correction", data={"reason": "x", "csrf_token": token}
    )
    assert hidden.status_code == 404
    # The filer still gets its own form back with the problem: a request already pending.
    filer, token = _portal(app, db, world.branch.org_id)
    for expected in (303, 422):
        again = filer.post(
            f"/filings/statistics/{fid}/late-correction",
            data={"reason": "A booking error", "csrf_token": token},
            follow_redirects=False,
        )
        assert again.status_code == expected, again.text


def test_auditors_verify_openattestation_documents_but_do_not_import_them(
    client: TestClient, db: Database
) -> None:
    bank = make_party(db, OrgKind.BANK)
    auditor = another_principal(db, bank.org_id, Role.AUDITOR)
    doc = dumps(invoice_batch(1)[0])
    checked = client.post("/v1/openattestation/verify", content=doc, headers=auditor.headers | JSON)
    assert checked.status_code == 200, checked.text
    assert checked.json()["intact"] is True
    before = _count(db, Fingerprint)
    url = "/v1/openattestation/import?currency=USD"
    assert client.post(url, content=doc, headers=auditor.headers | JSON).status_code == 403
    assert _count(db, Fingerprint) == before
    assert client.post(url, content=doc, headers=bank.headers | JSON).status_code == 200
    assert _count(db, Fingerprint) == before + 1
