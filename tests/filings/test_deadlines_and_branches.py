"""Deadlines on every answer and the `overdue` filter; warnings that need explaining;
Idempotency-Key on the workflow's POSTs; bank branches onboarded under a head office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from crossfin.core.clock import business_date
from crossfin.core.db import Database
from crossfin.core.errors import ValidationFailed
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import service
from crossfin.parties.models import Organization, OrgKind
from support.filings import CONTENT, World, draft, load_form, make_world, post
from support.parties import TEST_ACTOR, make_party, org_in

GIVEN = "LIC-TEST"  # a form whose clock starts on a date the filer gives


@pytest.fixture
def world(db: Database) -> World:
    found = make_world(db)
    load_form(
        db,
        code=GIVEN,
        system="licence",
        clock_starts="given",
        deadline_days=5,
        definition={"required": ["narrative"], "recommended": ["transactions"]},
    )
    return found


def test_overdue_filter_and_deadlines(client: TestClient, world: World) -> None:
    today = business_date()
    late = draft(
        client,
        world.branch,
        form=GIVEN,
        content={"narrative": "x"},
        clock_started=(today - timedelta(days=40)).isoformat(),
    )
    timely = draft(
        client,
        world.branch,
        form=GIVEN,
        content={"narrative": "y"},
        clock_started=today.isoformat(),
    )
    assert late["deadline"]["overdue"] is True and late["deadline"]["working_days_left"] < 0
    assert timely["deadline"] == {
        "due": timely["deadline"]["due"],
        "working_days_left": 5,
        "overdue": False,
        "paused": False,
    }

    def ids(query: str) -> set[int]:
        answer = client.get(f"/v1/filings{query}", headers=world.head.headers)
        return {f["id"] for f in answer.json()["items"]}

    assert ids("?overdue=true") == {late["id"]}
    assert ids("?overdue=false") == {timely["id"]}
    assert ids(f"?form={GIVEN}&state=drafted") == {late["id"], timely["id"]}
    future = (today + timedelta(days=3)).isoformat()
    refused = client.post(
        "/v1/filings",
        json={"form": GIVEN, "content": {}, "clock_started": future},
        headers=world.branch.headers,
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "clock_started"
    none_given = client.post(
        "/v1/filings", json={"form": GIVEN, "content": {}}, headers=world.branch.headers
    )
    assert none_given.json()["errors"][0]["field"] == "clock_started"


def test_a_warning_needs_an_explanation(client: TestClient, world: World) -> None:
    fid = draft(
        client,
        world.branch,
        form=GIVEN,
        content={"narrative": "x"},
        clock_started=business_date().isoformat(),
    )["id"]
    refused = post(client, world.branch, fid, "submit")
    assert refused.status_code == 422
    [issue] = refused.json()["issues"]
    assert (issue["location"], issue["severity"], issue["blocking"]) == (
        "transactions",
        "warning",
        True,
    )
    body = {"explanations": {"transactions": "Cash only; no transfers"}}
    passed = post(client, world.branch, fid, "submit", body)
    assert passed.status_code == 200, passed.text
    assert passed.json()["versions"][0]["explanations"] == {
        "transactions": "Cash only; no transfers"
    }


def test_idempotent_steps(client: TestClient, world: World) -> None:
    fid = draft(client, world.branch)["id"]
    headers = world.branch.headers | {"Idempotency-Key": "submit-once-1"}
    first = client.post(f"/v1/filings/{fid}/submit", json={}, headers=headers)
    again = client.post(f"/v1/filings/{fid}/submit", json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    other = client.post(f"/v1/filings/{fid}/submit", json={"content": CONTENT}, headers=headers)
    assert other.status_code == 409  # the key, reused for another request


def test_bank_branches_onboard_under_their_head_office(db: Database, world: World) -> None:
    # Two more branches of one head office serving the same county: the one-office-per-
    # county index binds regulators only.
    for _ in range(2):
        make_party(db, OrgKind.BANK, jurisdiction="440305", parent_org_id=world.head.org_id)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        orgs = uow.session.query(Organization).filter_by(parent_org_id=world.head.org_id).count()
        assert orgs == 4
        for parent, reason in (
            (world.branch.org_id, "a branch cannot have branches"),
            (world.shenzhen.org_id, "no bank"),
        ):
            with pytest.raises(ValidationFailed) as refused:
                service.add_org(uow, org_in(OrgKind.BANK, parent_org_id=parent))
            assert refused.value.errors[0].field == "parent_org_id"
            assert reason in refused.value.errors[0].reason
        with pytest.raises(ValidationFailed):
            service.add_org(uow, org_in(OrgKind.ENTERPRISE, parent_org_id=world.head.org_id))


def test_a_branch_is_onboarded_over_the_api(client: TestClient, db: Database, world: World) -> None:
    body = org_in(OrgKind.BANK, jurisdiction="440305", parent_org_id=world.head.org_id)
    answer = client.post(
        "/v1/orgs", json=body.model_dump(mode="json"), headers=world.operator.headers
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["parent_org_id"] == world.head.org_id
