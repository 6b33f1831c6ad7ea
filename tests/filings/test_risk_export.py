"""A filed risk report's exports (XML valid against the shipped XSD, JSON), its links
checked against what the filer reads, and who reads them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.filings.builtin import load_builtin
from crossfin.filings.risk import validate_xml
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert
from support.filings import World, draft, make_world, post
from support.parties import TEST_ACTOR
from support.risk import TODAY, risk_body


@pytest.fixture
def world(db: Database, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: TODAY)
    found = make_world(db)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_builtin(uow)
        uow.commit()
    return found


def _alert(db: Database, actor_org_id: int) -> int:
    with db.session() as session:
        alert = Alert(
            kind="test-risk",
            subject_org_id=None,
            actor_org_id=actor_org_id,
            jurisdiction_path=None,
            details="{}",
            created_at=datetime(2026, 11, 9, tzinfo=UTC),
        )
        session.add(alert)
        session.commit()
        return alert.id


def _filed(client: TestClient, world: World, **changes: Any) -> int:
    answer = client.post("/v1/filings", json=risk_body(**changes), headers=world.branch.headers)
    assert answer.status_code == 201, answer.text
    filing = int(answer.json()["id"])
    assert post(client, world.head, filing, "submit").status_code == 200
    assert post(client, world.shenzhen, filing, "accept").status_code == 200
    return filing


def test_the_served_xml_validates_against_the_shipped_xsd(client: TestClient, world: World) -> None:
    drafted = client.post("/v1/filings", json=risk_body(), headers=world.branch.headers).json()
    early = client.get(f"/v1/filings/{drafted['id']}/risk-report.xml", headers=world.head.headers)
    assert early.status_code == 200 and validate_xml(early.content) == []
    filing = _filed(client, world)
    xml = client.get(f"/v1/filings/{filing}/risk-report.xml", headers=world.shenzhen.headers)
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert validate_xml(xml.content) == []
    doc = client.get(f"/v1/filings/{filing}/risk-report.json", headers=world.branch.headers)
    header = doc.json()["header"]
    detail = client.get(f"/v1/filings/{filing}", headers=world.head.headers).json()
    assert header["regulator_receipt_number"] == detail["acknowledgement"]
    assert header["state"] == "accepted" and header["deadline_on"] == "2026-11-17"
    assert header["receipt"]["event_id"] == detail["steps"][-1]["event_id"]
    assert detail["acknowledgement"].encode() in xml.content
    assert "id_number" not in json.dumps(doc.json())


@pytest.mark.parametrize("suffix", ["risk-report.xml", "risk-report.json", "risk-report/links"])
def test_outsiders_get_404_and_other_forms_409(
    client: TestClient, world: World, suffix: str
) -> None:
    filing = _filed(client, world)
    for outsider in (world.hunan, world.other_bank, world.sibling, world.operator):
        answer = client.get(f"/v1/filings/{filing}/{suffix}", headers=outsider.headers)
        assert answer.status_code == 404, (outsider, answer.text)
    draft_only = client.post("/v1/filings", json=risk_body(), headers=world.branch.headers)
    unseen = draft_only.json()["id"]
    assert (
        client.get(f"/v1/filings/{unseen}/{suffix}", headers=world.shenzhen.headers).status_code
        == 404
    )
    other = draft(client, world.branch)["id"]
    assert (
        client.get(f"/v1/filings/{other}/{suffix}", headers=world.branch.headers).status_code == 409
    )


def test_links_must_be_readable_by_the_filer_and_regulators_see_them(
    client: TestClient, world: World, db: Database
) -> None:
    mine = _alert(db, world.branch.org_id)
    theirs = _alert(db, world.other_bank.org_id)
    missing = theirs + 1000

    def refused(links: list[dict[str, Any]]) -> list[dict[str, str]]:
        body = risk_body(links=links)
        answer = client.post("/v1/filings", json=body, headers=world.branch.headers)
        assert answer.status_code == 422, answer.text
        return list(answer.json()["errors"])

    hidden = refused([{"kind": "alert", "id": theirs}])
    absent = refused([{"kind": "alert", "id": missing}])
    # Out of sight reads exactly like absent: only the id in the message differs.
    assert hidden[0]["field"] == absent[0]["field"] == "links[0].id"
    assert hidden[0]["reason"].replace(str(theirs), "N") == absent[0]["reason"].replace(
        str(missing), "N"
    )
    assert refused([{"kind": "payment", "id": 999_999}])[0]["field"] == "links[0].id"
    assert refused([{"kind": "financing", "id": 999_999}])[0]["field"] == "links[0].id"
    filing = _filed(client, world, links=[{"kind": "alert", "id": mine}])
    links = client.get(f"/v1/filings/{filing}/risk-report/links", headers=world.shenzhen.headers)
    assert links.json() == [{"kind": "alert", "id": mine, "url": f"/v1/alerts/{mine}"}]
