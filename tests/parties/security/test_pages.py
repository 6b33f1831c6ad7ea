"""The operator's security page: open alerts, a chart per kind, the latest events; English
and Chinese; no one else's page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.security import SecurityKind
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind, Role
from crossfin.parties.security.events import note_security_event
from support.security import alerts
from support.web import csrf_from, login, party_user


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0
    return settings


def _events(db: Database) -> None:
    note_security_event(db, SecurityKind.AUDIT_FAILED, detail={"first_bad_index": 7})
    for _ in range(3):
        note_security_event(db, SecurityKind.KEY_UNKNOWN, address="198.51.100.4", key_id="dead01")


def test_the_operator_sees_alerts_chart_and_events(client: TestClient, db: Database) -> None:
    _events(db)
    _, name = party_user(db, OrgKind.OPERATOR, role=Role.OPERATOR)
    login(client, name)
    page = client.get("/security")
    assert page.status_code == 200
    assert 'data-test="security-alert-audit_failed"' in page.text  # key_unknown: below 20
    assert 'data-test="security-alert-key_unknown"' not in page.text
    assert 'data-test="series-key_unknown"' in page.text and "Unknown API keys: 3" in page.text
    assert "198.51.100.4" in page.text and "dead01" in page.text
    assert 'href="/security"' in client.get("/").text  # in the operator's menu
    only = client.get("/security?kind=audit_failed").text
    assert "198.51.100.4" not in only and "first_bad_index: 7" in only


def test_the_page_in_chinese(client: TestClient, db: Database) -> None:
    _events(db)
    _, name = party_user(db, OrgKind.OPERATOR)
    login(client, name)
    client.post("/language", data={"lang": "zh", "csrf_token": csrf_from(client.get("/").text)})
    page = client.get("/security").text
    assert "未处理的预警" in page and "审计未通过" in page and "未知的 API 密钥" in page


def test_acknowledging_from_the_page(client: TestClient, db: Database) -> None:
    _events(db)
    [alert] = alerts(db)
    _, name = party_user(db, OrgKind.OPERATOR)
    login(client, name)
    token = csrf_from(client.get("/security").text)
    done = client.post(
        f"/security/alerts/{alert.id}/acknowledge",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert alerts(db)[0].status == "acknowledged"
    assert 'data-test="no-security-alerts"' in client.get("/security").text


@pytest.mark.parametrize("kind", [OrgKind.BANK, OrgKind.REGULATOR])
def test_no_one_else_sees_the_page(client: TestClient, db: Database, kind: OrgKind) -> None:
    _events(db)
    _, name = party_user(db, kind)
    login(client, name)
    assert client.get("/security").status_code == 403
    assert 'href="/security"' not in client.get("/").text
    [alert] = alerts(db)
    token = csrf_from(client.get("/").text)
    refused = client.post(f"/security/alerts/{alert.id}/acknowledge", data={"csrf_token": token})
    assert refused.status_code == 404 and alerts(db)[0].status == "open"
