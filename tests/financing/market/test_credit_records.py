"""The F2 credit profile carries the class history and the regulatory records (what closed
cases found), to a bank with the enterprise's `credit_profile` consent only; nothing of
the regulators' work (alerts, open cases, notes) nor of other banks' financings leaks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.parties.models import Role
from support.enterprise import NOTE, EnterpriseWorld, build
from support.parties import Party, another_principal
from support.web import add_user, csrf_from, login


@pytest.fixture
def world(client: TestClient, db: Database) -> EnterpriseWorld:
    return build(client, db)


def _query(client: TestClient, bank: Party, uscc: str):  # type: ignore[no-untyped-def]
    body = {"enterprise_uscc": uscc, "purpose": "annual line review"}
    return client.post("/v1/credit-queries", json=body, headers=bank.headers)


def test_the_consented_bank_reads_class_history_and_records(
    client: TestClient, world: EnterpriseWorld
) -> None:
    answer = _query(client, world.fw.banks[0], world.fw.uscc)
    assert answer.status_code == 201, answer.text
    profile = answer.json()["profile"]
    assert profile["trade_class"] == "B"
    history = profile["class_history"]
    assert [(h["trade_class"], h["source"]) for h in history] == [
        ("B", "manual"),
        ("A", "onboarding"),
    ]
    assert set(history[0]) == {"trade_class", "effective_from", "period", "reason", "source"}
    [record] = profile["regulatory_records"]
    assert record == {
        "kind": "case-outcome",
        "outcome": "warning_issued",
        "concerning": ["over-financing"],
        "opened": record["opened"],
        "closed": record["closed"],
    }
    assert record["opened"] <= record["closed"]


def test_nothing_outside_the_profile_leaks(client: TestClient, world: EnterpriseWorld) -> None:
    answer = _query(client, world.fw.banks[0], world.fw.uscc)
    text = answer.text
    assert NOTE not in text  # the cases' notes
    other = world.financings[1]  # bank 2's loan: counted, never named nor referenced
    assert other["external_ref"] not in text and f'"id": {other["id"]}' not in text
    assert "bank_org_id" not in text and "case_id" not in text and "alert" not in text
    profile = answer.json()["profile"]
    assert profile["financing"]["active"][0]["financings"] == 2
    # One record: the open case and the alerts are the regulators' own, not the firm's record.
    assert len(profile["regulatory_records"]) == 1


def test_without_the_credit_profile_scope_it_is_as_if_there_were_no_firm(
    client: TestClient, db: Database, world: EnterpriseWorld
) -> None:
    admin = another_principal(db, world.firm.org_id, Role.ADMIN)
    documents_only = client.post(
        "/v1/consents",
        headers=admin.headers,
        json={
            "bank_org_id": world.fw.banks[1].org_id,
            "scopes": ["customs_declaration"],
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
    )
    assert documents_only.status_code == 201, documents_only.text
    refused = _query(client, world.fw.banks[1], world.fw.uscc)
    missing = _query(client, world.fw.banks[1], "91440300MA5DC6QX9C")
    assert refused.status_code == missing.status_code == 404
    assert refused.json()["detail"] == missing.json()["detail"]
    # Regulators and the firm itself do not query profiles: they read the enterprise page.
    assert _query(client, world.province, world.fw.uscc).status_code == 403
    assert _query(client, world.firm, world.fw.uscc).status_code == 403


def test_the_portal_shows_them_to_the_bank(app, db: Database, world: EnterpriseWorld) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as browser:
        assert login(browser, add_user(db, world.fw.banks[0].org_id)).status_code == 303
        token = csrf_from(browser.get("/credit-queries").text)
        page = browser.post(
            "/credit-queries", data={"csrf_token": token, "enterprise_uscc": world.fw.uscc}
        )
    assert page.status_code == 200, page.text
    records = page.text.split('data-test="profile-records"')[1].split("</dl>")[0]
    classes = page.text.split('data-test="profile-classes"')[1].split("</dl>")[0]
    assert "Warning issued" in records and "Over-financing" in records
    assert "since onboarding" in classes and "<dt>B</dt>" in classes
