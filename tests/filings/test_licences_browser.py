"""In a real browser: an enterprise applies for a money-exchange licence with every
material, the regulator accepts and approves it, the applicant downloads the decision
PDF, and an anonymous visitor finds the decision in the public register and verifies it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.licences import EXCHANGE_MATERIALS, PDF, Today, load_licence_types
from support.parties import make_party
from support.pdf import page_texts
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS
HOLDER_ZH = "深圳湾货币兑换有限公司"


def test_a_licence_from_application_to_decision(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    Today(monkeypatch, date(2026, 11, 2))
    load_licence_types(db)
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305", name_zh=HOLDER_ZH)
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    applicant = add_user(db, firm.org_id, Role.ADMIN, username="sz-exchange")
    officer = add_user(db, regulator.org_id, Role.ADMIN, username="sz-licensing")

    browser_login(page, base, applicant)
    page.goto(base + "/licences")
    page.select_option("[data-test=apply] select[name=type]", "LIC-MONEY-EXCHANGE")
    page.fill("[data-test=apply] input[name=applicant_name]", HOLDER_ZH)
    page.fill("[data-test=apply] input[name=contact]", "李娜 0755-8888 0000")
    page.fill("[data-test=apply] textarea[name=summary]", "深圳湾口岸两个兑换柜台")
    page.click("[data-test=apply] button")
    expect(page.locator("[data-test=licence-state]")).to_have_text("Draft")
    licence_url = page.url

    page.click("[data-test=submit] button")  # no material yet: refused, nothing changed
    expect(page.locator("[data-test=problem]")).to_contain_text("materials.application_letter")
    for material in EXCHANGE_MATERIALS:
        form = f"[data-test=attach-{material}]"
        page.set_input_files(
            f"{form} input[type=file]",
            files=[{"name": f"{material}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        page.click(f"{form} button")
        expect(page.locator(f"[data-test=material-{material}]")).to_contain_text(material)
    page.click("[data-test=submit] button")
    expect(page.locator("[data-test=licence-state]")).to_have_text("Awaiting acceptance")
    expect(page.locator("[data-test=acceptance-due]")).to_have_text("2026-11-09")

    page.context.clear_cookies()
    browser_login(page, base, officer)
    page.goto(licence_url)
    page.click("[data-test=accept]")
    expect(page.locator("[data-test=licence-state]")).to_have_text("Accepted")
    expect(page.locator("[data-test=decision-due]")).to_have_text("2026-11-30")
    page.click("[data-test=decide] button")  # no reasons: refused
    expect(page.locator("[data-test=problem]")).to_contain_text("reasons")
    page.fill("[data-test=decide] textarea[name=reasons]", "材料齐全，符合条件")  # noqa: RUF001
    page.click("[data-test=decide] button")
    expect(page.locator("[data-test=licence-outcome]")).to_have_text("Approved")
    code = page.locator("[data-test=verification-code]").inner_text()
    screenshot(page, "licence-decided")

    page.context.clear_cookies()
    browser_login(page, base, applicant)
    page.goto(licence_url)
    with page.expect_download() as download:
        page.click("[data-test=decision-pdf]")
    pdf = Path(download.value.path()).read_bytes()
    text = "\n".join(page_texts(pdf))
    assert "行政许可决定书" in text and HOLDER_ZH in text and code in text

    page.context.clear_cookies()  # the register needs no login
    page.goto(base + "/licences/register")
    page.fill("[data-test=register-search] input[name=q]", "深圳湾")
    page.click("[data-test=register-search] button")
    row = page.locator(f"[data-test=entry-{code}]")
    expect(row).to_contain_text("Approved")
    expect(page.locator("body")).not_to_contain_text("材料齐全")  # reasons stay private
    row.locator("a").click()
    expect(page.locator("[data-test=verified-decision]")).to_have_text("Approved")
    page.click("[data-test=lang-zh]")
    expect(page.locator("[data-test=verified-decision]")).to_have_text("准予许可")
    page.goto(base + "/licences/verify?code=LV-2222-2222-2222")
    expect(page.locator("[data-test=not-verified]")).to_be_visible()
    assert [p for p in page.problems if "422" not in p and "404" not in p] == []
