"""In a real browser with no network but the app: the dashboard draws its charts (ECharts
served by the app), a click on a bar drills down province → prefecture → county, the
breadcrumbs lead back up, and the page works in Chinese and English.

The cells are written straight into the statistics tables (support/stats_cells.py): they are
the query layer's input, whatever keeps them up to date.
"""

from __future__ import annotations

from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.parties import make_party
from support.stats_cells import Cell, add_cells, add_served
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS
CHARTS = ("trends-usd", "trends-count", "scenarios", "classes", "children", "top")
# The pixel of the middle of an area's bar (series 0, stacked under series 1), from the
# chart's own coordinate system: what a person would click.
BAR_MIDDLE = """([id, index]) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const value = chart.getOption().series[0].data[index];
  return chart.convertToPixel({seriesIndex: 0}, [value / 2, index]);
}"""


def _offline(page: Any, base: str) -> list[str]:
    """Abort every request that is not for the app; the list says what was tried."""
    tried: list[str] = []

    def handle(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return tried


def _drawn(page: Any, charts: tuple[str, ...]) -> None:
    from playwright.sync_api import expect

    for name in charts:
        chart = page.locator(f"#chart-{name}")
        expect(chart).to_have_attribute("data-rendered", "true")
        expect(chart.locator("canvas")).to_have_count(1)


def _click_bar(page: Any, index: int) -> None:
    x, y = page.evaluate(BAR_MIDDLE, ["chart-children", index])
    chart = page.locator("#chart-children")
    chart.scroll_into_view_if_needed()  # the mouse clicks in the viewport
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_the_dashboard_draws_and_drills_down_offline(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    add_cells(
        db,
        Cell("440305", "2026-01", "registered", 2, 100000),
        Cell("440304", "2026-02", "registered", 1, 40000, trade_class="B"),
        Cell("440305", "2026-02", "facilitated", 3, 30000, scenario="P3"),
        Cell("440106", "2026-01", "registered", 1, 200000, scenario="F4"),
        Cell("310115", "2026-01", "registered", 5, 900000),
    )
    for county, usd in (("440305", 100000), ("440106", 200000)):
        firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction=county)
        add_served(db, firm.org_id, county, "2026-01", usd)
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    username = add_user(db, regulator.org_id, Role.ADMIN, username="gd-statistician")
    tried = _offline(page, base)
    browser_login(page, base, username)

    page.click("a[href='/dashboard']")  # the menu entry
    page.fill("input[name=from]", "2026-01")
    page.fill("input[name=to]", "2026-03")
    page.click("[data-test=dashboard-filter] button")
    expect(page.locator("[data-test=total-registered]")).to_have_text("3,400.00")
    _drawn(page, CHARTS)
    expect(page.locator("[data-test=month-2026-02]")).to_contain_text("400.00")
    screenshot(page, "dashboard-province")

    # Guangzhou, then Shenzhen: the bars in code order. Shenzhen's bar opens Shenzhen.
    _click_bar(page, 1)
    expect(page).to_have_url(f"{base}/dashboard?jurisdiction=440300&from=2026-01&to=2026-03")
    expect(page.locator("[data-test=dashboard-title]")).to_contain_text("Shenzhen")
    expect(page.locator("[data-test=total-registered]")).to_have_text("1,400.00")
    _drawn(page, CHARTS)
    # Futian 440304, Nanshan 440305: Nanshan's bar opens the county, which has no areas.
    _click_bar(page, 1)
    expect(page.locator("[data-test=dashboard-title]")).to_contain_text("Nanshan")
    expect(page.locator("[data-test=total-registered]")).to_have_text("1,000.00")
    expect(page.locator("[data-test=total-facilitated]")).to_have_text("300.00")
    expect(page.locator("#chart-children")).to_have_count(0)
    _drawn(page, tuple(c for c in CHARTS if c != "children"))

    page.click("[data-test=crumb-440300]")  # back up, one level at a time
    expect(page.locator("[data-test=dashboard-title]")).to_contain_text("Shenzhen")
    page.click("[data-test=crumb-440000]")
    expect(page.locator("[data-test=total-registered]")).to_have_text("3,400.00")

    page.click("[data-test=lang-zh]")
    expect(page.locator("[data-test=dashboard-title]")).to_contain_text("统计：广东省")  # noqa: RUF001
    expect(page.locator("[data-test=children]")).to_contain_text("按地区比较")
    expect(page.locator("[data-test=child-440300]")).to_have_text("深圳市")
    _drawn(page, CHARTS)
    _click_bar(page, 1)
    expect(page.locator("[data-test=dashboard-title]")).to_contain_text("深圳市")
    screenshot(page, "dashboard-prefecture-zh")
    page.click("[data-test=lang-en]")
    expect(page.locator("[data-test=dashboard-title]")).to_contain_text("Shenzhen")

    assert page.problems == []  # no script error, no CSP violation
    assert tried == []  # nothing asked of any other host
