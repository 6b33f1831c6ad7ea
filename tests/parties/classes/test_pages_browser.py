"""Classes in a real browser: a regulator finds a firm, reclassifies it from the form, sees
the history grow; the firm then sees its new class and history."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.classes import TODAY
from support.payments import make_forwarders
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_regulator_reclassifies_a_firm(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    fw = make_forwarders(db, banks=0)
    officer = add_user(db, fw.regulator.org_id, Role.OPERATOR)
    clerk = add_user(db, fw.payer.org_id, Role.OPERATOR)

    browser_login(page, base, officer)
    page.click("nav.mainnav a[href='/classes']")
    page.fill("[data-test=search]", fw.uscc)
    page.keyboard.press("Enter")
    page.click(f"[data-test=enterprise-{fw.uscc}] a")
    expect(page.locator("[data-test=current-class] .pill")).to_have_text("A")
    expect(page.locator("[data-test=history-row]")).to_have_count(1)

    # A date before the newest change would be refused; here a valid one, then a bad one.
    page.select_option("[data-test=class]", "B")
    page.fill("[data-test=effective]", str(TODAY - timedelta(days=5)))
    page.fill("[data-test=period]", "2025")
    page.fill("[data-test=reason]", "export receipts late beyond 90 days")
    page.click("[data-test=classify]")
    expect(page.locator(".flash-success")).to_contain_text("Class recorded")
    expect(page.locator("[data-test=current-class] .pill")).to_have_text("B")
    rows = page.locator("[data-test=history-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("export receipts late beyond 90 days")
    expect(rows.first).to_contain_text("2025")

    page.select_option("[data-test=class]", "A")
    page.fill("[data-test=effective]", str(TODAY - timedelta(days=6)))
    page.fill("[data-test=reason]", "too early")
    page.click("[data-test=classify]")
    expect(page.locator("[data-test=errors]")).to_contain_text("only moves forward")
    expect(page.locator("[data-test=history-row]")).to_have_count(2)
    screenshot(page, "classes-reclassify")
    # The refused form answers 422, which chromium logs; no script or CSP error besides.
    assert [p for p in page.problems if "status of 422" not in p] == []
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r"/login"))

    browser_login(page, base, clerk)
    page.click("nav.mainnav a[href='/classes']")
    expect(page.locator("[data-test=current-class] .pill")).to_have_text("B")
    expect(page.locator("[data-test=history-row]")).to_have_count(2)
    expect(page.locator("[data-test=classify-form]")).to_have_count(0)
