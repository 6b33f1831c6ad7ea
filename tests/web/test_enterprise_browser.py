"""In a real browser: a regulator goes from its alerts to the enterprise's page, in English
and in Chinese, and on to one of the firm's financings."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.enterprise import build
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_a_regulator_opens_an_enterprise_from_its_alerts(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    client: TestClient,
    db: Database,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    world = build(client, db)
    firm = world.firm.org_id
    browser_login(page, base, add_user(db, world.province.org_id, username="gd-analyst"))

    page.goto(base + "/alerts")
    page.locator(f"[data-test=enterprise-{firm}]").first.click()
    page.wait_for_url(f"{base}/enterprises/{firm}")
    expect(page.locator("[data-test=breadcrumbs]")).to_have_text(
        "Guangdong Province › Shenzhen › Nanshan District"
    )
    expect(page.locator("[data-test=class-today]")).to_contain_text("Class B")
    expect(page.locator("[data-test=class-row]")).to_have_count(2)
    expect(page.locator("[data-test=financing-link]")).to_have_count(2)
    expect(page.locator("[data-test=alert-link]")).to_have_count(2)
    expect(page.locator("[data-test=case-link]")).to_have_count(2)
    expect(page.locator("[data-test=records]")).to_contain_text("Warning issued")
    expect(page.locator("[data-test=size]")).to_have_text("Unknown")
    screenshot(page, "enterprise-en")

    page.click("[data-test=lang-zh]")
    expect(page.locator("[data-test=breadcrumbs]")).to_have_text("广东省 › 深圳市 › 南山区")
    expect(page.locator("[data-test=size]")).to_have_text("未知")
    expect(page.locator("[data-test=records]")).to_contain_text("已发出警示")
    expect(page.locator("[data-test=payments] h2")).to_contain_text("付汇")
    screenshot(page, "enterprise-zh")

    page.locator("[data-test=financing-link]").first.click()
    expect(page.locator("[data-test=ref]")).to_have_text(world.financings[1]["external_ref"])
    assert page.problems == []
