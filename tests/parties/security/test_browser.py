"""The operator's security page in a real browser: menu, chart, Chinese, acknowledging."""

from __future__ import annotations

from typing import Any

import pytest

from crossfin.core.db import Database
from crossfin.core.security import SecurityKind
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind
from crossfin.parties.security.events import note_security_event
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.security import alerts
from support.web import browser_login, party_user

pytestmark = BROWSER_MARKS


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0
    return settings


def test_operator_works_an_alert(browser_page: Any, live_server: str, db: Database) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    note_security_event(db, SecurityKind.WITNESS_REFUSED, detail={"witness": "w1", "status": 403})
    for _ in range(4):
        note_security_event(db, SecurityKind.LOGIN_FAILED, address="192.0.2.9")
    _, username = party_user(db, OrgKind.OPERATOR)
    browser_login(page, base, username)
    page.click("nav.mainnav a[href='/security']")
    page.wait_for_url(base + "/security")
    expect(page.locator("[data-test=security-chart]")).to_be_visible()
    expect(page.locator("[data-test=series-login_failed]")).to_have_count(1)
    expect(page.locator("[data-test=security-alert-witness_refused]")).to_be_visible()
    screenshot(page, "security-en")

    page.click("[data-test=lang-zh]")
    expect(page.get_by_text("见证人拒绝联署").first).to_be_visible()
    screenshot(page, "security-zh")
    page.click("[data-test=acknowledge-witness_refused]")
    expect(page.locator("[data-test=no-security-alerts]")).to_be_visible()
    assert alerts(db)[0].status == "acknowledged"
    assert page.problems == []
