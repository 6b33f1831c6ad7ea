"""P4 in a real browser: a bank's operator fills the check form, lands on the report and
reads every comparison; the enterprise opens the same report from its list."""

from __future__ import annotations

import re
from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.offshore import check_body, make_shipment, make_trader
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_a_bank_submits_a_check_from_the_form_and_sees_the_report(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    t = make_trader(db, banks=1)
    s = make_shipment(db, t)
    body = check_body(t, s, external_ref="BRW-P4-1")
    maker = add_user(db, t.banks[0].org_id, Role.OPERATOR)

    browser_login(page, base, maker)
    page.click("nav.mainnav a[href='/offshore-checks']")
    c = body["contract"]
    for name, value in [
        ("ref", body["external_ref"]),
        ("enterprise", body["enterprise_uscc"]),
        ("contract", c["number"]),
        ("amount", c["amount"]),
        ("currency", c["currency"]),
        ("buyer", c["buyer"]["name"]),
        ("buyer-country", c["buyer"]["country"]),
        ("seller", c["seller"]["name"]),
        ("seller-country", c["seller"]["country"]),
        ("bl", body["bill_of_lading"]),
        ("declaration", body["declaration"]),
        ("containers", "\n".join(body["containers"])),
        ("hs", body["goods"]["hs_code"]),
        ("quantity", body["goods"]["quantity"]),
        ("unit", body["goods"]["unit"]),
        ("weight", body["goods"]["gross_weight_kg"]),
    ]:
        page.fill(f"[data-test={name}]", value)
    page.click("[data-test=offshore-submit]")
    page.wait_for_url(re.compile(r"/offshore-checks/\d+$"))
    expect(page.locator("[data-test=report-outcome]")).to_have_text("Passed")
    expect(page.locator("[data-test=comparisons] tbody tr")).to_have_count(13)
    expect(
        page.locator("[data-test=comparison-vessel] [data-test=comparison-outcome]")
    ).to_have_text("Match")
    expect(page.locator("[data-test=comparison-containers]")).to_contain_text("TGHU9876542")
    expect(page.locator("[data-test=endorsed]")).to_have_count(2)
    expect(page.locator("[data-test=leaf-index]")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("[data-test=report-pdf]")).to_have_attribute(
        "href", re.compile(r"^/offshore-checks/\d+/report\.pdf$")
    )
    report_url = page.url
    screenshot(page, "offshore-report")
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r"/login"))

    browser_login(page, base, add_user(db, t.enterprise.org_id, Role.OPERATOR))
    page.goto(base + "/offshore-checks")
    expect(page.locator("[data-test=offshore-form]")).to_have_count(0)
    page.click("[data-test=check-BRW-P4-1] a >> nth=1")
    page.wait_for_url(report_url)
    expect(page.locator("[data-test=report-outcome]")).to_have_text("Passed")
    assert not page.problems, page.problems
