"""The whole workflow over HTTP: receipts that verify against the log, the clock paused
while the filer supplies, versions kept, every illegal transition refused (409 naming
the state), a rejected request changing nothing, and the state audit passing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from crossfin.assembly import state_views
from crossfin.core.db import Database
from crossfin.filings.models import Filing, FilingVersion
from crossfin.filings.workflow import MOVES
from crossfin.ledger.rfc6962 import leaf_hash
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from support.filings import CONTENT, World, draft, make_world, post
from support.parties import Party

PROBLEMS = "https://crossfin.dev/problems/"


@pytest.fixture
def world(db: Database) -> World:
    return make_world(db)


def _verify(client: TestClient, who: Party, answer: dict[str, Any], filing_id: int) -> None:
    """The receipt's leaf is the stored record's, and the record commits to the filing."""
    receipt = answer["receipt"]
    entry = client.get(f"/v1/log/entries/{receipt['leaf_index']}", headers=who.headers)
    assert entry.status_code == 200
    assert leaf_hash(entry.content).hex() == receipt["leaf_hash"]
    record = json.loads(entry.content)
    assert f"filing:{filing_id}" in record["state"]


def _step(client: TestClient, who: Party, filing_id: int, action: str, body: Any = None) -> Any:
    answer = post(client, who, filing_id, action, body)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    _verify(client, who, data, filing_id)
    return data


def test_the_whole_workflow(client: TestClient, db: Database, world: World) -> None:
    created = draft(client, world.branch)
    fid = created["id"]
    _verify(client, world.branch, created, fid)
    assert created["state"] == "drafted" and created["deadline"] is None
    assert created["reference"].startswith("TEST-STAT-2026-")
    assert created["chain_org_id"] == world.head.org_id
    assert created["jurisdiction_path"] == "/000000/440000/440300/"
    assert (
        created["versions"][0]["content_sha256"]
        == hashlib.sha256(
            json.dumps(CONTENT, separators=(",", ":"), sort_keys=True).encode()
        ).hexdigest()
    )
    # The head office files its branch's draft (issue 13: it reviews and files).
    submitted = _step(client, world.head, fid, "submit")
    assert submitted["state"] == "submitted"
    assert submitted["deadline"]["paused"] is False and submitted["deadline"]["due"]
    accepted = _step(client, world.shenzhen, fid, "accept")
    assert accepted["acknowledgement"].startswith("ACK-")
    returned = _step(client, world.guangdong, fid, "return", {"reason": "Attach the contract"})
    assert returned["state"] == "returned" and returned["deadline"]["paused"] is True
    corrected = {**CONTENT, "tables": {"T1": [1, 2, 4]}}
    again = _step(client, world.branch, fid, "resubmit", {"content": corrected})
    assert again["state"] == "resubmitted" and again["deadline"]["paused"] is False
    assert [v["number"] for v in again["versions"]] == [1, 2]
    assert again["versions"][0]["content"] == CONTENT  # the old version stays
    assert again["current_version"] == 2
    _step(client, world.shenzhen, fid, "review", {"note": "reading"})
    decided = _step(
        client, world.shenzhen, fid, "decide", {"outcome": "accepted", "reasons": "complete"}
    )
    assert (decided["state"], decided["outcome"], decided["reasons"]) == (
        "decided",
        "accepted",
        "complete",
    )
    steps = [(s["action"], s["from_state"], s["to_state"]) for s in decided["steps"]]
    assert steps == [
        ("draft", None, "drafted"),
        ("submit", "drafted", "submitted"),
        ("accept", "submitted", "accepted"),
        ("return", "accepted", "returned"),
        ("resubmit", "returned", "resubmitted"),
        ("review", "resubmitted", "under_review"),
        ("decide", "under_review", "decided"),
    ]
    report = audit_state_database(db, StateViews(state_views()))
    assert report.ok, report.as_dict()
    assert report.tables["filings"] == 1 and report.tables["filing_forms"] == 1


def test_close_and_withdraw(client: TestClient, world: World) -> None:
    first = draft(client, world.branch)["id"]
    _step(client, world.branch, first, "submit")
    closed = _step(client, world.shenzhen, first, "close", {"outcome": "rejected"})
    assert closed["state"] == "closed" and closed["outcome"] == "rejected"
    second = draft(client, world.branch)["id"]
    withdrawn = _step(client, world.branch, second, "withdraw", {"note": "filed twice"})
    assert withdrawn["state"] == "withdrawn"


# Where each action leads from; any state not listed refuses it.
_BODIES: dict[str, dict[str, Any]] = {
    "return": {"reason": "more"},
    "decide": {"outcome": "ok", "reasons": "fine"},
    "close": {"outcome": "ok"},
}
_PATHS = {
    "drafted": [],
    "submitted": [("branch", "submit")],
    "accepted": [("branch", "submit"), ("shenzhen", "accept")],
    "returned": [("branch", "submit"), ("shenzhen", "return")],
    "resubmitted": [("branch", "submit"), ("shenzhen", "return"), ("branch", "resubmit")],
    "under_review": [("branch", "submit"), ("shenzhen", "accept"), ("shenzhen", "review")],
    "decided": [
        ("branch", "submit"),
        ("shenzhen", "accept"),
        ("shenzhen", "review"),
        ("shenzhen", "decide"),
    ],
    "closed": [("branch", "submit"), ("shenzhen", "close")],
    "withdrawn": [("branch", "withdraw")],
}
_FILER = {"submit", "resubmit", "withdraw"}


def _legal(action: str, state: str) -> bool:
    sources, _ = MOVES[action]
    if state not in sources:
        return False
    # A resubmission not yet acknowledged is accepted, not reviewed.
    return not (action == "review" and state == "resubmitted")


@pytest.mark.parametrize("state", list(_PATHS))
def test_every_illegal_transition_is_a_409_naming_the_state(
    client: TestClient, world: World, state: str
) -> None:
    fid = draft(client, world.branch)["id"]
    for who, action in _PATHS[state]:
        _step(client, getattr(world, who), fid, action, _BODIES.get(action))
    before = client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json()
    assert before["state"] == state
    for action in MOVES:
        if _legal(action, state):
            continue
        who = world.branch if action in _FILER else world.shenzhen
        answer = post(client, who, fid, action, _BODIES.get(action))
        if state in ("drafted", "withdrawn") and who is world.shenzhen:
            # Never submitted, it is the filer's own: to a regulator it does not exist.
            assert answer.status_code == 404, (action, answer.text)
            continue
        assert answer.status_code == 409, (state, action, answer.text)
        problem = answer.json()
        assert problem["type"] == PROBLEMS + "illegal-transition"
        assert problem["state"] == state
    after = client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json()
    assert after == before  # nothing changed


def test_content_errors_and_warnings(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch, content={"period": "2026-11"})["id"]
    before = client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json()
    refused = post(client, world.branch, fid, "submit")
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"] == PROBLEMS + "filing-content"
    assert [(i["location"], i["rule"], i["severity"]) for i in problem["issues"]] == [
        ("tables", "required", "error")
    ]
    assert problem["issues"][0]["message_zh"] == "tables 为必填项"
    assert client.get(f"/v1/filings/{fid}", headers=world.branch.headers).json() == before
    fixed = post(client, world.branch, fid, "submit", {"content": CONTENT})
    assert fixed.status_code == 200
    assert [v["number"] for v in fixed.json()["versions"]] == [1, 2]


def test_the_other_side_is_forbidden(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    assert post(client, world.branch, fid, "submit").status_code == 200
    assert post(client, world.branch, fid, "accept").status_code == 403
    assert post(client, world.shenzhen, fid, "withdraw").status_code == 403


def test_the_audit_names_a_filing_changed_behind_the_ledger(
    client: TestClient, db: Database, world: World
) -> None:
    fid = draft(client, world.branch)["id"]
    _step(client, world.branch, fid, "submit")
    views = StateViews(state_views())
    assert audit_state_database(db, views).ok
    with db.session() as session, session.begin():
        session.execute(update(Filing).where(Filing.id == fid).values(state="decided"))
    assert [(d.table, d.row_id) for d in audit_state_database(db, views).divergent] == [
        ("filings", fid)
    ]
    with db.session() as session, session.begin():
        session.execute(update(Filing).where(Filing.id == fid).values(state="submitted"))
        session.execute(
            update(FilingVersion)
            .where(FilingVersion.filing_id == fid)
            .values(content_sha256="0" * 64)
        )
    assert [(d.table, d.row_id) for d in audit_state_database(db, views).divergent] == [
        ("filings", fid)
    ]
