"""A regulator sees exactly its subtree: organizations, alerts and the home page's figures.

Firms sit across the special structures of the full table (a municipal district, a
prefecture-level city without counties, a province-administered county, a division retired
with a successor); regulators sit at a province, a prefecture and a sibling province.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from crossfin.core.db import Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind
from support.parties import TEST_ACTOR, Party, make_party
from support.web import add_user, login

# Firm seats: 南山区 (Shenzhen), 东莞市 (no counties), 海曙区 (Ningbo), 东城区 (Beijing),
# 仙桃市 (under Hubei's province-administered pseudo-prefecture), 下城区 (Hangzhou, retired).
SEATS = ("440305", "441900", "330203", "110101", "429004", "330103")

# Regulator seat -> the firms' seats it must see, and nothing else.
EXPECTED = {
    "440000": {"440305", "441900"},  # Guangdong province
    "440300": {"440305"},  # Shenzhen prefecture
    "441900": {"441900"},  # Dongguan: a prefecture-level city without counties
    "330000": {"330203", "330103"},  # Zhejiang: the sibling province
    "330100": {"330103"},  # Hangzhou: a firm seated before its district was retired
    "110000": {"110101"},  # Beijing municipality
    "420000": {"429004"},  # Hubei
    "420100": set(),  # Wuhan: Xiantao is not under it
    "000000": set(SEATS),  # the head office
}


@dataclass
class World:
    firms: dict[str, int]  # seat -> org id


@pytest.fixture
def world(db: Database) -> World:
    firms = {}
    for seat in SEATS:
        # 330103 is retired in the shipped table: a firm there was onboarded before 2021,
        # so it is placed as the old record was, straight into the table.
        live = "330105" if seat == "330103" else seat
        firms[seat] = make_party(db, OrgKind.ENTERPRISE, jurisdiction=live).org_id
    with db.engine.begin() as conn:
        conn.execute(
            update(Organization)
            .where(Organization.id == firms["330103"])
            .values(jurisdiction_code="330103", jurisdiction_path="/000000/330000/330100/330103/")
        )
    with UnitOfWork(db, TEST_ACTOR) as uow:
        for seat, org_id in firms.items():
            org = uow.session.get_one(Organization, org_id)
            raise_alert(
                uow,
                AlertKind.OVERDUE,
                subject_org_id=org_id,
                jurisdiction_path=org.jurisdiction_path,
                details={"seat": seat},
            )
        uow.commit()
    return World(firms)


def _regulator(db: Database, seat: str) -> Party:
    return make_party(db, OrgKind.REGULATOR, jurisdiction=seat)


@pytest.mark.parametrize("seat", sorted(EXPECTED))
def test_orgs_and_alerts_are_exactly_the_subtree(
    client: TestClient, db: Database, world: World, seat: str
) -> None:
    regulator = _regulator(db, seat)
    expected = {world.firms[s] for s in EXPECTED[seat]}
    listed = client.get("/v1/orgs?kind=enterprise&limit=500", headers=regulator.headers)
    assert listed.status_code == 200
    assert {o["id"] for o in listed.json()} == expected
    alerts = client.get("/v1/alerts?limit=500", headers=regulator.headers).json()["items"]
    assert {a["subject_org_id"] for a in alerts} == expected
    for firm_seat, org_id in world.firms.items():
        one = client.get(f"/v1/orgs/{org_id}", headers=regulator.headers)
        assert one.status_code == (200 if firm_seat in EXPECTED[seat] else 404), firm_seat


@pytest.mark.parametrize(
    ("seat", "count"), [("440000", 2), ("440300", 1), ("330000", 2), ("330100", 1)]
)
def test_home_figures_roll_up_the_subtree_only(
    client: TestClient, db: Database, world: World, seat: str, count: int
) -> None:
    regulator = _regulator(db, seat)
    login(client, add_user(db, regulator.org_id))
    page = client.get("/").text
    assert f'data-test="class-A">{count}<' in page
    # Hangzhou's figures roll up to its districts: the retired one still shows by name.
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert ("下城区" in zh) == (seat == "330100")
