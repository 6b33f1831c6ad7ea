"""In a real browser: a branch drafts a risk report through the form, its head office
files it (in Chinese), and the report shows the ID number's last four only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.filings.models import Filing, FilingVersion
from crossfin.ledger.uow import UnitOfWork
from support.browser import BROWSER_MARKS, browser_page, live_server  # noqa: F401
from support.filings import make_world
from support.parties import TEST_ACTOR
from support.risk import RESIDENT_ID, SHENZHEN_TRADER, TODAY
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_a_branch_drafts_and_its_head_office_files(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    client: TestClient,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: TODAY)
    world = make_world(db)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()
    page, base = browser_page, live_server
    browser_login(page, base, add_user(db, world.branch.org_id, username="sz-branch"))
    page.goto(base + "/filings/risk")
    page.click("[data-test=new-report]")
    page.select_option("[data-test=category]", "underground_banking")
    page.fill("[data-test=discovered_on]", "2026-11-10")
    page.fill("[data-test=subject_name_0]", "深圳市鹏程进出口贸易有限公司")
    page.fill("[data-test=subject_uscc_0]", SHENZHEN_TRADER)
    page.fill("[data-test=subject_name_1]", "张伟")
    page.fill("[data-test=subject_nationality_1]", "CN")
    page.select_option("[data-test=subject_id_type_1]", "resident_id")
    page.fill("[data-test=subject_id_number_1]", RESIDENT_ID)
    page.fill("[data-test=tx_date_0]", "2026-11-03")
    page.fill("[data-test=tx_amount_0]", "480000.00")
    page.fill("[data-test=tx_currency_0]", "USD")
    page.fill("[data-test=tx_counterparty_0]", "Harbour Star Trading Ltd")
    page.fill("[data-test=tx_country_0]", "HK")
    page.fill("[data-test=narrative]", "Many small remittances gathered, sent on the same day.")
    page.fill("[data-test=branch_name]", "中国银行深圳分行")
    page.fill("[data-test=contact_name]", "李娜")
    page.fill("[data-test=contact_phone]", "+86 755 8888 0000")
    page.click("[data-test=draft]")
    expect(page.locator("[data-test=state]")).to_have_text("Drafted")
    expect(page.locator("[data-test=subjects]")).to_contain_text("···" + RESIDENT_ID[-4:])
    expect(page.locator("[data-test=file]")).to_have_count(0)
    report_url = page.url

    page.context.clear_cookies()
    browser_login(page, base, add_user(db, world.head.org_id, username="head-office"))
    page.goto(base + "/filings/risk")
    page.click("[data-test=lang-zh]")
    expect(page.locator("[data-test=to-file]")).to_contain_text("草稿")
    page.locator("[data-test=to-file] a").first.click()
    page.click("[data-test=file]")
    expect(page.locator("[data-test=state]")).to_have_text("已报送")
    assert page.url == report_url
    with db.session(readonly=True) as session:
        assert session.scalars(select(Filing.state)).one() == "submitted"
        assert RESIDENT_ID not in session.scalars(select(FilingVersion.content)).one()
    assert page.problems == []
