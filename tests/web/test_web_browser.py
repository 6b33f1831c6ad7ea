"""End to end in a real browser: Playwright driving Debian's chromium against uvicorn."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import Organization, OrgKind
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.web import PASSWORD, browser_login, party_user

pytestmark = BROWSER_MARKS


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0.2  # the real background signer, at a brisk cadence
    return settings


def test_login_home_language_and_ledger(browser_page: Any, live_server: str, db: Database) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    org_id, username = party_user(db, OrgKind.BANK, jurisdiction="440300")
    with db.session(readonly=True) as session:
        org_name = session.get_one(Organization, org_id).name
    page.goto(base + "/")
    page.wait_for_url(re.compile(r"/login"))  # anonymous: sent to the login page
    browser_login(page, base, username)
    expect(page.locator("[data-test=org-name]")).to_have_text(org_name)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "home-en")

    page.click("[data-test=lang-zh]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_text("本单位信息")).to_be_visible()
    page.reload()  # the choice persists (cookie), whatever the browser's locale says
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    screenshot(page, "home-zh")
    page.click("[data-test=lang-en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("nav.mainnav a[href='/ledger']")
    page.wait_for_url(base + "/ledger")
    expect(page.locator("[data-test=head-size]")).to_be_visible()
    # The background checkpointer signs within moments; then the receipt can be checked.
    deadline = time.monotonic() + 15
    while True:
        page.goto(base + "/ledger?index=0")
        if page.locator("[data-test=bundle]").input_value().startswith("c2sp.org/tlog-proof@v1"):
            break
        assert time.monotonic() < deadline, "no checkpoint was signed"
        time.sleep(0.3)
    expect(page.locator("[data-test=size-chart]")).to_be_visible()
    page.click("[data-test=verify]")  # an htmx post: the result swaps in place
    expect(page.locator("[data-test=verify-ok]")).to_be_visible()
    assert page.url == base + "/ledger?index=0"
    screenshot(page, "ledger-ok")

    page.fill("[data-test=leaf-hash]", "00" * 32)
    page.click("[data-test=verify]")
    expect(page.locator("[data-test=verify-bad]")).to_be_visible()

    page.click("[data-test=logout]")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(base + "/")
    page.wait_for_url(re.compile(r"/login"))
    assert page.problems == []


def test_wrong_password_in_the_browser(browser_page: Any, live_server: str, db: Database) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    _, username = party_user(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    page.goto(live_server + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD + "-wrong")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("[data-test=login-error]")).to_have_text("Wrong username or password.")
    screenshot(page, "login-failed")
