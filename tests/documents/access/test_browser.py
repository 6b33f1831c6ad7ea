"""In a real browser: an enterprise grants and revokes consent; a bank verifies a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import Organization, OrgKind
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.documents import make_document
from support.parties import make_party
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_enterprise_consent_flow(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    bank = make_party(db, OrgKind.BANK)
    with db.session(readonly=True) as session:
        bank_name = session.get_one(Organization, bank.org_id).name
    browser_login(page, base, add_user(db, firm.org_id))
    page.click("nav.mainnav a[href='/consents']")
    page.wait_for_url(base + "/consents")
    expect(page.locator("[data-test=no-consents]")).to_be_visible()
    page.select_option("[data-test=bank]", str(bank.org_id))
    page.select_option("[data-test=scopes]", ["customs_declaration", "credit_profile"])
    page.fill("[data-test=days]", "60")
    page.fill("[data-test=purpose]", "receivables financing")
    screenshot(page, "consent-form")
    page.click("[data-test=grant]")
    page.wait_for_url(base + "/consents")
    row = page.locator("[data-test=consents] tbody tr").first
    expect(row).to_contain_text(bank_name)
    expect(row.locator("[data-test=status]")).to_have_text("Active")
    screenshot(page, "consent-granted")
    row.locator("[data-test=revoke]").click()
    page.wait_for_url(base + "/consents")
    expect(
        page.locator("[data-test=consents] tbody tr").first.locator("[data-test=status]")
    ).to_have_text("Revoked")
    assert page.problems == []


def test_bank_bulk_verification(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    customs = make_party(db, OrgKind.CUSTOMS)
    docs = [
        make_document(
            db, "customs_declaration", source_org_id=customs.org_id, owner_org_id=firm.org_id
        )
        for _ in range(3)
    ]
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "kind,key,total_value,currency\n"
        + "".join(
            f"customs_declaration,{d.key},{'125000.00' if i else '99.00'},USD\n"
            for i, d in enumerate(docs)
        )
        + "customs_declaration,531620260077777777,1,USD\n"
    )
    browser_login(page, base, add_user(db, bank.org_id))
    page.click("nav.mainnav a[href='/verify']")
    page.wait_for_url(base + "/verify")
    page.set_input_files("[data-test=file]", str(claims))
    page.click("[data-test=run]")
    expect(page.locator("[data-test=count-authentic]")).to_have_text("2")
    expect(page.locator("[data-test=count-mismatch]")).to_have_text("1")
    expect(page.locator("[data-test=count-unknown]")).to_have_text("1")
    expect(page.locator("[data-test=items] tbody tr")).to_have_count(4)
    screenshot(page, "verify-result")
    with page.expect_download() as download:
        page.click("[data-test=download]")
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0] == "line,kind,key,outcome,fields,remaining,currency,available"
    assert lines[1].endswith("mismatch,total_value,,,")
    assert lines[2].endswith("authentic,,125000.00,USD,True")
    assert lines[4].endswith("unknown,,,,")
    assert page.problems == []
