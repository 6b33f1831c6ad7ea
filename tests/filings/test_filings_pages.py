"""The filings portal pages: the filer's list and detail, a submission from the page, a
refused move shown in the page, outsiders' 404; the regulator's queue, completeness and
aggregates pages (HTML and CSV), banks refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.filings import World, make_world
from support.filings_views import efal, file_efal, load_efal, pin
from support.web import add_user, csrf_from, login


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> World:
    found = make_world(db)
    load_efal(db)
    pin(monkeypatch, "2026-11-10")
    return found


def _as(client: TestClient, db: Database, org_id: int) -> None:
    client.cookies.clear()
    assert login(client, add_user(db, org_id, Role.ADMIN)).status_code == 303


def test_filer_submits_from_the_detail_page(client: TestClient, db: Database, world: World) -> None:
    fid = file_efal(client, world.branch, "2026-10", [("US", "USD", 100, 1)], submit=False)
    _as(client, db, world.branch.org_id)
    listing = client.get("/filings")
    assert listing.status_code == 200 and f'data-test="filing-{fid}"' in listing.text
    page = client.get(f"/filings/{fid}")
    assert 'data-test="move-submit"' in page.text and 'data-test="move-accept"' not in page.text
    token = csrf_from(page.text)
    refused = client.post(f"/filings/{fid}/accept", data={"csrf_token": token})
    assert refused.status_code == 403  # the regulator's move: the portal's error page
    done = client.post(f"/filings/{fid}/submit", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(f"/filings/{fid}")
    assert 'data-test="step-submit"' in page.text and "/ledger?index=" in page.text
    again = client.post(f"/filings/{fid}/submit", data={"csrf_token": token})
    assert again.status_code == 409 and 'data-test="problem"' in again.text
    assert client.post(f"/filings/{fid}/withdraw", data={}).status_code == 403  # no CSRF


def test_outsiders_get_the_404_page(client: TestClient, db: Database, world: World) -> None:
    fid = file_efal(client, world.branch, "2026-10", [("US", "USD", 100, 1)])
    _as(client, db, world.hunan.org_id)
    page = client.get(f"/filings/{fid}")
    missing = client.get("/filings/999999")
    assert page.status_code == missing.status_code == 404
    assert f"no filing {fid}" in page.text and "no filing 999999" in missing.text
    _as(client, db, world.sibling.org_id)
    assert client.get(f"/filings/{fid}").status_code == 404


def test_regulator_queue_and_moves(client: TestClient, db: Database, world: World) -> None:
    fid = file_efal(client, world.branch, "2026-10", [("US", "USD", 100, 1)])
    _as(client, db, world.shenzhen.org_id)
    queue = client.get("/filings")
    assert 'data-test="first"' in queue.text and f'data-test="filing-{fid}"' in queue.text
    page = client.get(f"/filings/{fid}")
    assert 'data-test="move-accept"' in page.text and 'data-test="move-submit"' not in page.text
    token = csrf_from(page.text)
    empty = client.post(f"/filings/{fid}/return", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "reason" in empty.text
    ok = client.post(f"/filings/{fid}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    page = client.get(f"/filings/{fid}")
    assert 'data-test="ack"' in page.text and 'data-test="move-review"' in page.text


def test_views_pages(client: TestClient, db: Database, world: World) -> None:
    file_efal(client, world.branch, "2026-10", [("US", "USD", 100, 1)], accept_by=world.shenzhen)
    _as(client, db, world.guangdong.org_id)
    page = client.get("/filings/completeness?form=EFAL-M&period=2026-10")
    assert page.status_code == 200 and f'data-test="org-{world.branch.org_id}"' in page.text
    page = client.get("/filings/aggregates?form=EFAL-M&period=2026-10")
    assert 'id="chart-aggregates"' in page.text and 'data-test="drill-440300"' in page.text
    csv = client.get("/filings/aggregates?form=EFAL-M&period=2026-10&by=country&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and "US,United States" in csv.text
    client.cookies.set("crossfin_lang", "zh")
    page = client.get("/filings/completeness?form=EFAL-M&period=2026-10")
    assert "已受理" in page.text and "报送完整性" in page.text
    _as(client, db, world.branch.org_id)
    assert client.get("/filings/aggregates?form=EFAL-M&period=2026-10").status_code == 403


def test_a_warning_is_shown_and_explained_from_the_page(
    client: TestClient, db: Database, world: World
) -> None:
    content = efal("2026-10", [("US", "USD", 100, 1)])
    for table in ("A1", "S1"):
        content["tables"][table][0]["OTH"] = 5
        content["tables"][table][0]["CLS"] += 5
    body = {"form": "EFAL-M", "period": "2026-10", "content": content}
    fid = client.post("/v1/filings", json=body, headers=world.branch.headers).json()["id"]
    _as(client, db, world.branch.org_id)
    page = client.get(f"/filings/{fid}")
    assert 'data-test="issues"' in page.text and "M-A1-OTH" in page.text
    assert "Other changes in volume need an explanation." in page.text
    field = re.search(r'name="(explain\.[^"]+)"', page.text)
    assert field is not None
    token = csrf_from(page.text)
    refused = client.post(f"/filings/{fid}/submit", data={"csrf_token": token})
    assert refused.status_code == 422 and 'data-test="problem"' in refused.text
    assert "M-A1-OTH" in refused.text
    client.cookies.set("crossfin_lang", "zh")
    assert "存在其他调整，请说明原因。" in client.get(f"/filings/{fid}").text  # noqa: RUF001
    data = {"csrf_token": token, field.group(1): "A write-off of a bad loan"}
    done = client.post(f"/filings/{fid}/submit", data=data, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(f"/filings/{fid}")
    assert "A write-off of a bad loan" in page.text and 'data-test="step-submit"' in page.text
