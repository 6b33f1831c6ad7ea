"""FX risk reports through the filings workflow: drafted by a branch with its ID numbers
hashed before anything is stored, filed by its head office, acknowledged, returned,
resubmitted and closed by the regulator of the subject's county."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.filings.models import Filing, FilingVersion
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Jurisdiction
from support.filings import World, draft, make_world, post
from support.parties import TEST_ACTOR
from support.risk import PASSPORT, RESIDENT_ID, TODAY, report_input, risk_body


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: TODAY)
    found = make_world(db)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()
    return found


def _draft(client: TestClient, who: Any, **changes: Any) -> dict[str, Any]:
    answer = client.post("/v1/filings", json=risk_body(**changes), headers=who.headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _no_clear_numbers(db: Database) -> None:
    with db.session(readonly=True) as session:
        stored = " ".join(session.scalars(select(FilingVersion.content)))
        records = b" ".join(session.scalars(select(LedgerEvent.record)))
    for number in (RESIDENT_ID, PASSPORT):
        assert number not in stored and number.encode() not in records


def test_a_branch_drafts_and_no_clear_id_number_is_stored(
    client: TestClient, world: World, db: Database
) -> None:
    found = _draft(client, world.branch)
    _no_clear_numbers(db)
    version = found["versions"][0]["content"]
    person = version["subjects"][1]
    assert "id_number" not in person and len(person["id_hash"]) == 64
    assert person["id_last4"] == RESIDENT_ID[-4:]
    assert version["transactions"][0]["amount_minor"] == 125_000_000
    with db.session(readonly=True) as session:
        filing = session.get_one(Filing, found["id"])
        shenzhen = session.get_one(Jurisdiction, "440300")
        # The clock starts on the content's discovery date; the regulator is the subject's.
        assert filing.clock_started == date(2026, 11, 10)
        assert filing.jurisdiction_path == shenzhen.path
        assert filing.chain_org_id == world.head.org_id
    assert found["deadline"]["due"] == "2026-11-17" and found["deadline"]["overdue"] is False
    late = _draft(client, world.branch, discovered_on="2026-11-02")
    assert late["deadline"]["overdue"] is True


def test_drafting_refuses_a_second_clock_and_bad_content_stores_nothing(
    client: TestClient, world: World, db: Database
) -> None:
    body = risk_body() | {"clock_started": "2026-11-10"}
    answer = client.post("/v1/filings", json=body, headers=world.branch.headers)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "clock_started"
    subjects = report_input()["subjects"]
    subjects[1]["id_number"] = RESIDENT_ID[:-1] + "3"  # a wrong check character
    bad = client.post(
        "/v1/filings", json=risk_body(subjects=subjects), headers=world.branch.headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "subjects[1].id_number"
    assert RESIDENT_ID[:-1] not in bad.text
    with db.session(readonly=True) as session:
        assert session.scalars(select(Filing)).first() is None


def test_the_head_office_files_a_branch_draft_or_sends_it_back(
    client: TestClient, world: World, db: Database
) -> None:
    filing = _draft(client, world.branch)["id"]
    assert post(client, world.branch, filing, "submit").status_code == 403
    assert post(client, world.sibling, filing, "submit").status_code == 404
    assert post(client, world.other_bank, filing, "send-back", {"note": "x"}).status_code == 404
    assert post(client, world.branch, filing, "send-back", {"note": "x"}).status_code == 403
    assert post(client, world.shenzhen, filing, "send-back", {"note": "x"}).status_code == 404
    sent = post(client, world.head, filing, "send-back", {"note": "Add the contract."})
    assert sent.status_code == 200, sent.text
    assert sent.json()["state"] == "drafted"
    assert sent.json()["steps"][-1]["action"] == "send-back"
    assert sent.json()["steps"][-1]["note"] == "Add the contract."
    content = report_input(links=[], discovered_on="2026-11-10", narrative="Revised. " * 10)
    revised = post(client, world.branch, filing, "revise", {"content": content})
    assert revised.status_code == 200, revised.text
    assert revised.json()["current_version"] == 2
    _no_clear_numbers(db)
    filed = post(client, world.head, filing, "submit")
    assert filed.status_code == 200, filed.text
    assert filed.json()["state"] == "submitted"
    assert post(client, world.head, filing, "send-back", {"note": "x"}).status_code == 409
    assert post(client, world.branch, filing, "revise", {"content": content}).status_code == 409


def test_the_subjects_regulator_acknowledges_returns_and_closes(
    client: TestClient, world: World, db: Database
) -> None:
    filing = _draft(client, world.branch)["id"]
    assert post(client, world.shenzhen, filing, "accept").status_code == 404  # a draft
    assert post(client, world.head, filing, "submit").status_code == 200
    assert post(client, world.hunan, filing, "accept").status_code == 404
    acked = post(client, world.shenzhen, filing, "accept")
    assert acked.status_code == 200 and acked.json()["acknowledgement"].startswith("ACK-")
    asked = post(client, world.shenzhen, filing, "return", {"reason": "Send the invoices."})
    assert asked.json()["state"] == "returned"
    content = report_input(links=[], discovered_on="2026-11-10")
    assert post(client, world.branch, filing, "resubmit", {"content": content}).status_code == 403
    again = post(client, world.head, filing, "resubmit", {"content": content})
    assert again.status_code == 200 and again.json()["current_version"] == 2
    _no_clear_numbers(db)
    assert post(client, world.shenzhen, filing, "review").status_code == 200
    unknown = post(client, world.shenzhen, filing, "close", {"outcome": "approved"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "outcome"
    with db.session(readonly=True) as session:
        assert session.get_one(Filing, filing).state == "under_review"
    closed = post(client, world.guangdong, filing, "close", {"outcome": "monitoring"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "monitoring"


def test_a_bank_without_parent_is_its_own_head_office(client: TestClient, world: World) -> None:
    filing = _draft(client, world.other_bank)["id"]
    assert post(client, world.other_bank, filing, "send-back", {"note": "x"}).status_code == 409
    assert post(client, world.other_bank, filing, "submit").status_code == 200
    assert post(client, world.head, filing, "submit").status_code == 404


def test_other_forms_close_with_any_outcome_and_keep_the_branch_filing(
    client: TestClient, world: World
) -> None:
    filing = draft(client, world.branch)["id"]
    assert post(client, world.branch, filing, "send-back", {"note": "x"}).status_code == 409
    assert post(client, world.branch, filing, "submit").status_code == 200
    assert post(client, world.shenzhen, filing, "close", {"outcome": "approved"}).status_code == 200


def test_only_banks_draft_risk_reports(client: TestClient, world: World, db: Database) -> None:
    refused = client.post("/v1/filings", json=risk_body(), headers=world.enterprise.headers)
    assert refused.status_code == 403, refused.text
    with db.session(readonly=True) as session:
        assert session.scalars(select(Filing)).first() is None
