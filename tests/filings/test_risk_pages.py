"""The risk-report portal pages: a branch drafts through the form (its ID numbers never
stored), its head office files it, the regulator reads hashes and last four only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.filings.models import Filing, FilingVersion
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Role
from support.filings import World, make_world
from support.parties import TEST_ACTOR
from support.risk import RESIDENT_ID, SHENZHEN_TRADER, TODAY
from support.web import add_user, csrf_from, login

FORM: dict[str, str] = {
    "category": "underground_banking",
    "discovered_on": "2026-11-10",
    "subject_kind_0": "enterprise",
    "subject_name_0": "深圳市鹏程进出口贸易有限公司",
    "subject_uscc_0": SHENZHEN_TRADER,
    "subject_kind_1": "individual",
    "subject_name_1": "张伟",
    "subject_nationality_1": "cn",
    "subject_id_type_1": "resident_id",
    "subject_id_number_1": RESIDENT_ID,
    "tx_date_0": "2026-11-03",
    "tx_amount_0": "480000.00",
    "tx_currency_0": "usd",
    "tx_counterparty_0": "Harbour Star Trading Ltd",
    "tx_country_0": "HK",
    "tx_channel_0": "cross_border_remittance",
    "narrative": "Many small remittances gathered from personal accounts, sent on the same day.",
    "branch_name": "中国银行深圳分行",
    "contact_name": "李娜",
    "contact_phone": "+86 755 8888 0000",
}


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: TODAY)
    found = make_world(db)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()
    return found


def _as(client: TestClient, db: Database, org_id: int, role: Role = Role.OPERATOR) -> None:
    client.cookies.clear()
    assert login(client, add_user(db, org_id, role)).status_code == 303


def _post(client: TestClient, url: str, page: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get(page).text)
    return client.post(url, data=data | {"csrf_token": token}, follow_redirects=False)


def test_a_branch_drafts_and_its_head_office_files(
    client: TestClient, world: World, db: Database
) -> None:
    _as(client, db, world.branch.org_id)
    bad = _post(client, "/filings/risk/new", "/filings/risk/new", FORM | {"tx_currency_0": "XX"})
    assert bad.status_code == 422 and "transactions[0].currency" in bad.text
    assert RESIDENT_ID not in bad.text  # the ID number is not echoed back
    made = _post(client, "/filings/risk/new", "/filings/risk/new", FORM)
    assert made.status_code == 303, made.text
    filing_id = int(made.headers["location"].rsplit("/", 1)[1])
    with db.session(readonly=True) as session:
        stored = session.scalars(select(FilingVersion.content)).one()
        assert RESIDENT_ID not in stored and RESIDENT_ID[-4:] in stored
    page = client.get(f"/filings/risk/{filing_id}")
    assert 'data-test="file"' not in page.text  # the branch does not file
    assert client.post(f"/filings/risk/{filing_id}/file", data={}).status_code == 403

    _as(client, db, world.head.org_id)
    listed = client.get("/filings/risk", headers={"Accept-Language": "zh-CN"})
    assert 'data-test="to-file"' in listed.text
    assert f"/filings/risk/{filing_id}" in listed.text and "待报送的分行草稿" in listed.text
    page = f"/filings/risk/{filing_id}"
    filed = _post(client, f"/filings/risk/{filing_id}/file", page, {})
    assert filed.status_code == 303
    with db.session(readonly=True) as session:
        assert session.get_one(Filing, filing_id).state == "submitted"

    _as(client, db, world.shenzhen.org_id)
    seen = client.get(page)
    assert seen.status_code == 200 and "···" + RESIDENT_ID[-4:] in seen.text
    assert RESIDENT_ID not in seen.text
    _as(client, db, world.hunan.org_id)
    assert client.get(page).status_code == 404


def test_the_head_office_sends_a_draft_back(client: TestClient, world: World, db: Database) -> None:
    _as(client, db, world.branch.org_id)
    made = _post(client, "/filings/risk/new", "/filings/risk/new", FORM)
    page = made.headers["location"]
    _as(client, db, world.head.org_id)
    back = _post(client, page + "/send-back", page, {"note": "Add the contract."})
    assert back.status_code == 303
    _as(client, db, world.branch.org_id)
    assert "Add the contract." in client.get(page).text
