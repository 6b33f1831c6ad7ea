"""In a real browser: a province regulator raises a threshold for its subtree and sees the
new version listed, with its reason; a refused value is named beside its field."""

from __future__ import annotations

from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.parties import make_party
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_a_regulator_edits_a_threshold(browser_page: Any, live_server: str, db: Database) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    browser_login(page, base, add_user(db, regulator.org_id, Role.ADMIN, username="gd-rules"))

    page.goto(base + "/alerts")
    page.click("[data-test=rules-link]")
    card = page.locator("[data-test=rule-document-tried-at-many-banks]")
    expect(card.locator("[data-test=version-000000] [data-test=version]")).to_have_text("0")
    form = card.locator("[data-test=form-document-tried-at-many-banks]")
    expect(form.locator("[data-test=param-banks]")).to_have_value("3")

    form.locator("[data-test=param-banks]").fill("1")  # below the bound: refused by name
    form.locator("[data-test=reason-input]").fill("Guangdong pilot")
    form.locator("[data-test=save]").click()
    expect(form.locator("[data-test='error-params.banks']")).to_contain_text("between 2 and 100")
    expect(card.locator("[data-test=version-440000]")).to_have_count(0)

    form.locator("[data-test=param-banks]").fill("4")
    form.locator("[data-test=save]").click()
    row = card.locator("[data-test=version-440000]")
    expect(row.locator("[data-test=version]")).to_have_text("1")
    expect(row.locator("[data-test=params]")).to_contain_text("Banks = 4")
    expect(row.locator("[data-test=reason]")).to_have_text("Guangdong pilot")
    expect(row).to_contain_text("gd-rules")
    screenshot(page, "alert-rule-changed")

    page.click("[data-test=lang-zh]")
    expect(row.locator("[data-test=params]")).to_contain_text("银行数 = 4")
    expect(page.locator("h1")).to_have_text("预警规则")
    # The one refusal above answered 422 on purpose; nothing else went wrong.
    assert [p for p in page.problems if "422" not in p] == []
