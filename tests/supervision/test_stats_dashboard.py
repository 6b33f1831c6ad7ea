"""The regulator's dashboard, rendered on the server: its tables hold the same figures as
the API, within the regulator's subtree; every other kind of party is refused.

The cells are written straight into the statistics tables (support/stats_cells.py): they are
the query layer's input, whatever keeps them up to date.
"""

from __future__ import annotations

import json
import re
from datetime import date

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.web.i18n import LANGUAGE_COOKIE
from crossfin.parties.models import OrgKind
from support.parties import make_party
from support.stats_cells import Cell, add_cells, add_served
from support.web import login, party_user

MONTHS = {"from": "2026-01", "to": "2026-03"}


def _cells(db: Database) -> None:
    add_cells(
        db,
        Cell("440305", "2026-01", "registered", 2, 100000),
        Cell("440305", "2026-02", "registered", 1, 55000, 50000, currency="EUR", trade_class="B"),
        Cell("440304", "2026-03", "facilitated", 3, 30000, scenario="P3"),
        Cell("440106", "2026-01", "registered", 1, 200000, scenario="F4"),
        Cell("440305", "2026-01", "outstanding", 2, 80000),
        Cell("310115", "2026-01", "registered", 5, 900000),
    )


def _data(html: str) -> dict:  # type: ignore[type-arg]
    found = re.search(
        r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S
    )
    assert found, "no chart data in the page"
    return json.loads(found.group(1))


def test_the_province_sees_its_prefectures_and_drills_down(
    client: TestClient, db: Database
) -> None:
    _cells(db)
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305", name="Lotus Test Ltd")
    add_served(db, firm.org_id, "440305", "2026-01", 100000)
    _, user = party_user(db, OrgKind.REGULATOR, jurisdiction="440000")
    login(client, user)
    assert 'href="/dashboard"' in client.get("/").text  # the menu and the home card

    page = client.get("/dashboard", params=MONTHS)
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-test="total-registered">3,550.00<' in html  # Guangdong only: not Shanghai
    assert 'data-test="total-outstanding">800.00<' in html
    assert 'data-test="child-440300"' in html and 'data-test="child-440100"' in html
    assert "310000" not in html and "Shanghai" not in html
    assert f'href="/enterprises/{firm.org_id}" data-test="top-enterprise">Lotus Test Ltd<' in html
    charts = _data(html)["charts"]
    assert charts["trends"]["keys"] == ["2026-01", "2026-02", "2026-03"]
    assert charts["trends"]["registered_usd"] == [3000.0, 550.0, 0.0]
    assert charts["children"]["names"] == ["Guangzhou", "Shenzhen"]
    assert (
        charts["children"]["hrefs"][1] == "/dashboard?jurisdiction=440300&from=2026-01&to=2026-03"
    )
    assert charts["scenarios"]["keys"] == ["F1", "F4", "P3"]
    assert charts["classes"]["registered_usd"] == [3000.0, 550.0]

    shenzhen = client.get(charts["children"]["hrefs"][1]).text
    assert 'data-test="total-registered">1,550.00<' in shenzhen
    assert 'data-test="crumb-440000"' in shenzhen and 'data-test="child-440305"' in shenzhen
    nanshan = client.get("/dashboard?jurisdiction=440305&from=2026-01&to=2026-03").text
    assert 'data-test="children"' not in nanshan  # a county has no areas below it
    assert 'data-test="crumb-440300"' in nanshan

    client.cookies.set(LANGUAGE_COOKIE, "zh")
    zh = client.get("/dashboard", params=MONTHS).text
    assert "深圳市" in zh and "按地区比较" in zh
    assert _data(zh)["charts"]["children"]["names"] == ["广州市", "深圳市"]


def test_a_regulator_never_sees_outside_its_subtree(client: TestClient, db: Database) -> None:
    _cells(db)
    _, user = party_user(db, OrgKind.REGULATOR, jurisdiction="440300")
    login(client, user)
    html = client.get("/dashboard", params=MONTHS).text
    assert 'data-test="total-registered">1,550.00<' in html  # Shenzhen: not Guangzhou
    assert 'data-test="crumb-440000"' not in html
    for code in ("440000", "440100", "310000"):
        assert client.get(f"/dashboard?jurisdiction={code}").status_code == 403
    assert client.get("/dashboard?from=2026-13").status_code == 422

    _, sibling = party_user(db, OrgKind.REGULATOR, jurisdiction="310000")
    login(client, sibling)
    html = client.get("/dashboard", params=MONTHS).text
    assert 'data-test="total-registered">9,000.00<' in html
    assert "Shenzhen" not in html and "Guangdong" not in html


def test_other_parties_are_refused(client: TestClient, db: Database) -> None:
    assert client.get("/dashboard", follow_redirects=False).status_code in (302, 303)
    for kind in (OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.OPERATOR):
        _, user = party_user(db, kind)
        login(client, user)
        assert client.get("/dashboard").status_code == 403


def test_the_months_default_to_the_last_twelve(client: TestClient, db: Database) -> None:
    from crossfin.core.clock import business_date
    from crossfin.supervision.stats.dashboard import last_months

    assert last_months(date(2026, 1, 5)) == ("2025-02", "2026-01")
    assert last_months(date(2026, 12, 31)) == ("2026-01", "2026-12")
    _, user = party_user(db, OrgKind.REGULATOR, jurisdiction="440000")
    login(client, user)
    months = _data(client.get("/dashboard").text)["charts"]["trends"]["keys"]
    assert len(months) == 12 and months[-1] == f"{business_date():%Y-%m}"
    # A range too long to draw month by month lists only the months with figures.
    _cells(db)
    wide = _data(client.get("/dashboard?from=1900-01&to=2099-12").text)["charts"]["trends"]
    assert wide["keys"] == ["2026-01", "2026-02", "2026-03"]
