"""A dispatched office sees exactly its county; its parent sees all it sees; a case records
the office that handles it (API and portal, in both languages)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind
from crossfin.supervision.models import CaseStep
from support.parties import Party, make_party
from support.web import add_user, login


def _alert(db: Database, org_id: int) -> int:
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        org = uow.session.get_one(Organization, org_id)
        raised = raise_alert(
            uow,
            AlertKind.OVERDUE,
            subject_org_id=org.id,
            jurisdiction_path=org.jurisdiction_path,
            details={},
        )
        assert raised is not None
        uow.commit()
        return raised[0].id


@dataclass
class World:
    nanshan_firm: Party  # 440305
    futian_firm: Party  # 440304, Nanshan's sibling county
    shenzhen: Party  # 440300
    nanshan: Party  # Shenzhen's dispatched office at 440305
    futian_office: Party  # Shenzhen's dispatched office at 440304
    nanshan_alert: int
    futian_alert: int


@pytest.fixture
def world(db: Database) -> World:
    nanshan_firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    futian_firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440304")
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    return World(
        nanshan_firm,
        futian_firm,
        shenzhen,
        make_party(db, OrgKind.REGULATOR, jurisdiction="440305", parent_org_id=shenzhen.org_id),
        make_party(db, OrgKind.REGULATOR, jurisdiction="440304", parent_org_id=shenzhen.org_id),
        _alert(db, nanshan_firm.org_id),
        _alert(db, futian_firm.org_id),
    )


def _seen(client: TestClient, who: Party) -> tuple[set[int], set[int]]:
    alerts = client.get("/v1/alerts?limit=500", headers=who.headers)
    orgs = client.get("/v1/orgs?kind=enterprise&limit=500", headers=who.headers)
    assert alerts.status_code == orgs.status_code == 200
    return {a["id"] for a in alerts.json()["items"]}, {o["id"] for o in orgs.json()}


def test_an_office_sees_its_county_and_its_parent_sees_both(
    client: TestClient, world: World
) -> None:
    assert _seen(client, world.nanshan) == ({world.nanshan_alert}, {world.nanshan_firm.org_id})
    assert _seen(client, world.shenzhen) == (
        {world.nanshan_alert, world.futian_alert},
        {world.nanshan_firm.org_id, world.futian_firm.org_id},
    )
    other = client.get(f"/v1/alerts/{world.futian_alert}", headers=world.nanshan.headers)
    assert other.status_code == 404
    firm = client.get(f"/v1/orgs/{world.futian_firm.org_id}", headers=world.nanshan.headers)
    assert firm.status_code == 404


def test_a_case_records_the_office_that_handles_it(
    client: TestClient, db: Database, world: World
) -> None:
    # Shenzhen opens both; each belongs to the office of its county.
    h = world.shenzhen.headers
    for alert, office in (
        (world.nanshan_alert, world.nanshan),
        (world.futian_alert, world.futian_office),
    ):
        opened = client.post(f"/v1/alerts/{alert}/case", json={}, headers=h)
        assert opened.status_code == 200, opened.text
        case = opened.json()
        assert case["handling_org_id"] == office.org_id
        again = client.get(f"/v1/cases/{case['id']}", headers=office.headers)
        assert again.status_code == 200 and again.json()["handling_org_id"] == office.org_id
    # The sibling office never sees the other county's case.
    listed = client.get("/v1/cases", headers=world.nanshan.headers).json()["items"]
    assert [c["handling_org_id"] for c in listed] == [world.nanshan.org_id]
    with db.session(readonly=True) as session:
        details = session.scalars(select(CaseStep.detail).where(CaseStep.action == "open")).all()
    # The open step (its ledger event's content) names the office too.
    handled = {json.loads(d)["handling_org_id"] for d in details}
    assert handled == {world.nanshan.org_id, world.futian_office.org_id}


def test_without_an_office_the_prefecture_handles(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440306")  # Bao'an, no office
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    province = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    opened = client.post(
        f"/v1/alerts/{_alert(db, firm.org_id)}/case", json={}, headers=province.headers
    )
    assert opened.status_code == 200 and opened.json()["handling_org_id"] == shenzhen.org_id


def test_the_case_pages_name_the_handling_office(
    client: TestClient, db: Database, world: World
) -> None:
    opened = client.post(
        f"/v1/alerts/{world.nanshan_alert}/case", json={}, headers=world.shenzhen.headers
    )
    case_id = opened.json()["id"]
    with db.engine.begin() as conn:
        conn.execute(
            Organization.__table__.update()
            .where(Organization.id == world.nanshan.org_id)
            .values(name="Nanshan Office", name_zh="南山派出机构")
        )
    login(client, add_user(db, world.shenzhen.org_id))
    page = client.get(f"/cases/{case_id}").text
    assert 'data-test="handled-by">Nanshan Office<' in page
    assert 'data-test="handled-by">Nanshan Office<' in client.get("/cases").text
    zh = client.get(f"/cases/{case_id}", headers={"Accept-Language": "zh-CN"}).text
    assert 'data-test="handled-by">南山派出机构<' in zh and "承办机构" in zh
