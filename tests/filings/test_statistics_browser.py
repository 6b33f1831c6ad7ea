"""A statistics upload in a real browser: the filer uploads a report with a broken cell and
sees it named in the page (table, row, column), uploads the correction, submits it, and
sees it accepted by its regulator."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crossfin.core.db import Database
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.filings import make_world, post
from support.stats_filing import file_of, load_shipped, pin_days
from support.stats_forms import clone, monthly
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_an_upload_with_a_cell_error_then_its_correction_accepted(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
    client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    pin_days(monkeypatch, date(2026, 11, 5))
    load_shipped(db)
    world = make_world(db)
    clerk = add_user(db, world.branch.org_id)
    good = monthly(period="2026-10")
    bad = clone(good)
    bad["tables"]["A1"][2]["CLS"] += 5_00
    bad["tables"]["S1"][1]["CLS"] += 5_00
    (tmp_path / "october.xlsx").write_bytes(file_of(bad, "xlsx"))
    (tmp_path / "fixed.csv").write_bytes(file_of(good, "csv"))

    page, base = browser_page, live_server
    browser_login(page, base, clerk)
    page.click("nav.mainnav a[href='/filings/statistics']")
    page.select_option("[data-test=form]", "EFAL-M")
    page.fill("[data-test=period]", "2026-10")
    page.set_input_files("[data-test=file]", str(tmp_path / "october.xlsx"))
    page.click("[data-test=upload]")
    issue = page.locator("[data-test=issue]")
    expect(issue).to_have_count(1)
    expect(issue).to_have_attribute("data-cell", "A1[INSTR=A01,CTRY=HK,CCY=HKD].CLS")
    expect(issue).to_contain_text("M-A1-SF")
    expect(page.locator("[data-test=due]")).to_have_text("2026-11-13")
    expect(page.locator("[data-test=submit-form]")).to_have_count(0)  # errors block
    expect(page.locator("[data-test=report-csv]")).to_be_visible()
    screenshot(page, "statistics-cell-error")

    page.set_input_files("[data-test=correction-file]", str(tmp_path / "fixed.csv"))
    page.click("[data-test=correct]")
    expect(page.locator("[data-test=clean]")).to_be_visible()
    expect(page.locator("[data-test=version]")).to_have_text("2")
    page.click("[data-test=submit]")
    expect(page.locator("[data-test=state]")).to_have_text("submitted")
    filing_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert post(client, world.shenzhen, filing_id, "accept").status_code == 200
    page.reload()
    expect(page.locator("[data-test=state]")).to_have_text("accepted")
    assert page.problems == []
