"""The bank's work queue in a real browser: register, approve (another person), disburse,
repay in part and in full, close; the document's balance follows each step."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.financing import declaration, make_firms, today
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def logout(page: Any) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r"/login"))


def test_bank_work_queue(browser_page: Any, live_server: str, db: Database) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    maker = add_user(db, firms.banks[0].org_id, Role.OPERATOR)
    checker = add_user(db, firms.banks[0].org_id, Role.APPROVER)

    browser_login(page, base, maker)
    page.click("nav.mainnav a[href='/financing']")
    page.click("[data-test=new-financing]")
    page.fill("[data-test=external-ref]", "LN-BROWSER-1")
    page.fill("[data-test=uscc]", firms.uscc)
    page.fill("[data-test=amount]", "60000.00")
    page.fill("[data-test=currency]", "USD")
    page.fill("[data-test=documents]", f"customs_declaration {doc.key}")
    screenshot(page, "financing-new")
    page.click("[data-test=register]")
    expect(page.locator("[data-test=state]")).to_have_text("Registered")
    expect(page.locator(f"[data-test=remaining-{doc.key}]")).to_have_text("40000.00 USD")
    detail_url = page.url
    expect(page.locator("[data-test=do-approve]")).to_have_count(1)
    page.click("[data-test=do-approve]")  # the maker may not: a clear refusal
    expect(page.locator("body")).to_contain_text("approver")
    # The 403 answer itself is the only console entry.
    assert all("403" in p for p in page.problems), page.problems
    page.problems.clear()
    page.goto(base + "/financing")
    logout(page)

    browser_login(page, base, checker)
    page.goto(base + "/financing?stage=todo")
    screenshot(page, "financing-queue")
    page.click("[data-test=open-LN-BROWSER-1]")
    page.click("[data-test=do-approve]")
    expect(page.locator("[data-test=state]")).to_have_text("Approved")
    logout(page)

    browser_login(page, base, maker)
    page.goto(detail_url)
    page.fill("[data-test=disburse-due]", (today() + timedelta(days=90)).isoformat())
    page.click("[data-test=do-disburse]")
    expect(page.locator("[data-test=state]")).to_have_text("Disbursed")
    page.fill("[data-test=repay-amount]", "15000.00")
    page.click("[data-test=do-repay]")
    expect(page.locator("[data-test=state]")).to_have_text("Partly repaid")
    expect(page.locator("[data-test=outstanding]")).to_have_text("45000.00")
    expect(page.locator(f"[data-test=remaining-{doc.key}]")).to_have_text("55000.00 USD")
    screenshot(page, "financing-detail")
    page.click("[data-test=do-repay]")  # the rest, prefilled
    expect(page.locator("[data-test=state]")).to_have_text("Repaid")
    expect(page.locator(f"[data-test=remaining-{doc.key}]")).to_have_text("100000.00 USD")
    page.click("[data-test=do-close]")
    expect(page.locator("[data-test=state]")).to_have_text("Closed")
    assert not page.problems, page.problems
