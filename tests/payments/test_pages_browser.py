"""The P3 template upload in a real browser: a bank's operator uploads an XLSX file, reads
the row results, another person approves; the enterprise sees its payments."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.payments import as_xlsx, freight_invoice, make_forwarders, row
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def logout(page: Any) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_url(re.compile(r"/login"))


def test_template_upload(
    browser_page: Any,  # noqa: F811
    live_server: str,  # noqa: F811
    db: Database,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    fw = make_forwarders(db, banks=1)
    docs = [freight_invoice(db, fw) for _ in range(3)]
    rows = [row(fw, d, f"BR-{i}") for i, d in enumerate(docs)]
    rows.append(row(fw, docs[0], "BR-again"))
    rows.append(row(fw, docs[1], "BR-wrong", inv_amount="1.00"))
    path = tmp_path / "freight.xlsx"
    path.write_bytes(as_xlsx(rows))
    maker = add_user(db, fw.banks[0].org_id, Role.OPERATOR)
    checker = add_user(db, fw.banks[0].org_id, Role.APPROVER)

    browser_login(page, base, maker)
    page.click("nav.mainnav a[href='/payments']")
    page.set_input_files("[data-test=template-file]", str(path))
    page.click("[data-test=upload]")
    expect(page.locator("[data-test=upload-summary]")).to_contain_text(
        "5 rows: 3 submitted, 1 refused, 1 invalid."
    )
    expect(page.locator("[data-test=row-5] [data-test=outcome]")).to_have_text("refused")
    expect(page.locator("[data-test=row-5]")).to_contain_text("already-used")
    expect(page.locator("[data-test=row-6] [data-test=outcome]")).to_have_text("invalid")
    expect(page.locator("[data-test=results-csv]")).to_have_attribute(
        "href", re.compile(r"^data:text/csv;base64,")
    )
    screenshot(page, "payments-upload")
    expect(page.locator("[data-test=payment-BR-0] [data-test=state]")).to_have_text("Submitted")
    logout(page)

    browser_login(page, base, checker)
    page.goto(base + "/payments?state=submitted")
    page.click("[data-test=payment-BR-0] [data-test=approve]")
    expect(page.locator("[data-test=payment-BR-0] [data-test=state]")).to_have_text("Approved")
    assert not page.problems, page.problems
