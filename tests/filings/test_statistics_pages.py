"""The statistics pages without a browser: a refused file's cells listed (422), the
Chinese page, a late correction asked from the page, and outsiders kept out (404)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from support.filings import make_world, post
from support.stats_filing import load_shipped, pin_days, upload_new
from support.stats_forms import monthly
from support.web import add_user, csrf_from, login


def _session(app: Any, db: Database, org_id: int) -> TestClient:
    browser = TestClient(app)
    assert login(browser, add_user(db, org_id)).status_code == 303
    return browser


def test_pages_show_cells_refuse_outsiders_and_speak_chinese(
    app: Any, client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    move = pin_days(monkeypatch, date(2026, 11, 5))
    load_shipped(db)
    world = make_world(db)
    filer = _session(app, db, world.branch.org_id)
    page = filer.get("/filings/statistics")
    assert page.status_code == 200 and "EFAL-M" in page.text
    bad = "table,period,INSTR,CTRY,CCY,OPN\nA1,2026-10,A01,US,USD,abc\n"
    refused = filer.post(
        "/filings/statistics",
        data={"form": "EFAL-M", "period": "2026-10", "csrf_token": csrf_from(page.text)},
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422 and "SHEET-NUMBER" in refused.text

    fid = upload_new(client, world.branch, monthly(period="2026-10")).json()["filing"]["id"]
    assert post(client, world.branch, fid, "submit").status_code == 200
    zh = filer.get(f"/filings/statistics/{fid}", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200 and "截止日" in zh.text and "2026-11-13" in zh.text
    move(date(2026, 11, 17))
    locked = filer.get(f"/filings/statistics/{fid}")
    assert 'data-test="locked"' in locked.text
    asked = filer.post(
        f"/filings/statistics/{fid}/late-correction",
        data={"reason": "A booking error", "csrf_token": csrf_from(locked.text)},
    )
    assert asked.status_code == 200 and 'data-test="late-request"' in asked.text
    for outsider in (world.other_bank, world.sibling, world.hunan):
        other = _session(app, db, outsider.org_id)
        assert other.get(f"/filings/statistics/{fid}").status_code == 404
        assert other.get(f"/filings/statistics/{fid}/report.csv").status_code == 404
