"""The demo regulator reaches an enterprise page with every part filled: the firm of the
demo case (demo/enterprise_page.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.dataset import demo_password
from crossfin.demo.enterprise_page import REGULATOR_USER, case_firm
from crossfin.demo.loader import load_demo
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR
from support.web import login


def test_the_case_firms_page_shows_every_part(
    client: TestClient, db: Database, settings: Settings
) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_demo(uow, settings.data_dir)
        uow.commit()
    with UnitOfWork(db, TEST_ACTOR) as uow:
        again = load_demo(uow, settings.data_dir)  # idempotent
        firm = case_firm(uow)
        assert firm is not None
        firm_id = firm.id
        uow.commit()
    assert (again.payments_added, again.classes_added) == (0, 0)
    assert login(client, REGULATOR_USER, demo_password(REGULATOR_USER)).status_code == 303
    assert f'href="/enterprises/{firm_id}"' in client.get("/alerts").text
    page = client.get(f"/enterprises/{firm_id}")
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count('data-test="class-row"') == 2
    for link in ("document-link", "financing-link", "alert-link", "case-link"):
        assert f'data-test="{link}"' in html, link
    assert "demo-P3-case-firm" in html
    rows = html.split('data-test="financing-link"')[1:]
    banks = {row.split("</td>")[1].replace("<td>", "").strip() for row in rows}
    assert len(banks) >= 2  # financings at more than one bank
