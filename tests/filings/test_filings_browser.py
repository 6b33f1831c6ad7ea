"""In a real browser: the regulator opens the statistics aggregates, sees the chart drawn
(ECharts served by the app, no network), clicks an area's bar to drill down and switches
to counterparty countries; the filer opens a draft and submits it from its page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.browser import BROWSER_MARKS, browser_page, live_server  # noqa: F401
from support.filings import make_world
from support.filings_views import file_efal, load_efal, pin
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS
BAR_MIDDLE = """(index) => {
  const chart = echarts.getInstanceByDom(document.getElementById("chart-aggregates"));
  const value = chart.getOption().series[0].data[index];
  return chart.convertToPixel({seriesIndex: 0}, [value / 2, index]);
}"""


def _drawn(page: Any) -> None:
    from playwright.sync_api import expect

    chart = page.locator("#chart-aggregates")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_have_count(1)


def test_regulator_drills_down_and_filer_submits(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    world = make_world(db)
    load_efal(db)
    pin(monkeypatch, "2026-11-10")
    rows = [("US", "USD", 100_00, 50_00), ("HK", "USD", 10_00, 1_00)]
    file_efal(client, world.branch, "2026-10", rows, accept_by=world.shenzhen)
    # November opens at October's accepted closings (the continuity rule).
    opened = [(c, ccy, o + t, 0) for c, ccy, o, t in rows]
    draft = file_efal(client, world.branch, "2026-11", opened, submit=False)

    browser_login(page, base, add_user(db, world.guangdong.org_id, Role.ADMIN))
    page.goto(f"{base}/filings/aggregates?form=EFAL-M&period=2026-10")
    expect(page.locator("[data-test=title]")).to_contain_text("Guangdong")
    _drawn(page)
    x, y = page.evaluate(BAR_MIDDLE, 0)
    box = page.locator("#chart-aggregates").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(
        f"{base}/filings/aggregates?by=jurisdiction&jurisdiction=440300"
        "&form=EFAL-M&period=2026-10&currency=USD"
    )
    expect(page.locator("[data-test=title]")).to_contain_text("Shenzhen")
    page.click("[data-test=by-country]")
    _drawn(page)
    expect(page.locator("[data-test=group-US] [data-test=sum-CLS]")).to_have_text("150.00")
    assert page.problems == []

    page.context.clear_cookies()
    browser_login(page, base, add_user(db, world.branch.org_id, Role.ADMIN))
    page.goto(f"{base}/filings/{draft}")
    expect(page.locator("[data-test=state]").first).to_have_text("Draft")
    page.click("[data-test=do-submit]")
    expect(page).to_have_url(f"{base}/filings/{draft}")
    expect(page.locator("[data-test=state]").first).to_have_text("Submitted")
    expect(page.locator("[data-test=step-submit] [data-test=receipt]")).to_have_count(1)
    assert page.problems == []
