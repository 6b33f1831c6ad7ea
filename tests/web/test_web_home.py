"""The home page of every kind of party shows its organization and real data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.core.web.nav import NavEntry, entries_for, kinds, roles
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.classes.service import ClassChange, classify
from crossfin.parties.models import Organization, OrgKind, Principal, Role, TradeClass
from support.parties import make_party
from support.payments import caller_of
from support.web import add_user, login, party_user

SEATS = {OrgKind.ENTERPRISE: "440305", OrgKind.BANK: "440300", OrgKind.REGULATOR: "440000"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0
    return settings


@pytest.mark.parametrize("kind", list(OrgKind))
def test_each_kind_has_a_home_page(client: TestClient, db: Database, kind: OrgKind) -> None:
    org_id, name = party_user(db, kind, jurisdiction=SEATS.get(kind))
    login(client, name)
    page = client.get("/")
    assert page.status_code == 200
    with db.session(readonly=True) as session:
        org = session.get_one(Organization, org_id)
    assert f'data-test="org-name">{org.name}<' in page.text
    assert name in page.text
    assert f"kind-{kind.value}" in page.text
    assert "What you can do here" in page.text
    assert 'href="/ledger"' in page.text
    # Its own ledger records: organization added, users added.
    assert "parties:org:add" in page.text


def test_enterprise_home_shows_its_county_and_class(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    login(client, name)
    page = client.get("/").text
    assert "Guangdong" in page and "440305" in page
    assert "Class A" in page
    org_id = client_org(db, name)
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    caller = caller_of(db, regulator)
    with UnitOfWork(db, caller.actor) as uow:
        classify(uow, caller, org_id, ClassChange("B", "late receipts"))
        uow.commit()
    page = client.get("/").text
    assert "Class B" in page and f'href="/classes/{org_id}"' in page


def client_org(db: Database, username: str) -> int:
    with db.session(readonly=True) as session:
        query = select(Principal.org_id).where(Principal.username == username)
        return int(session.scalars(query).one())


def test_bank_home_lists_served_jurisdictions(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK, jurisdiction="440300")
    login(client, name)
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert "服务辖区" in page and "440300" in page and "深圳" in page


def test_regulator_home_counts_enterprises_in_its_subtree(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.REGULATOR, jurisdiction="440300")
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    for county in ("440305", "440305", "440304"):
        make_party(db, OrgKind.ENTERPRISE, jurisdiction=county)
    make_party(db, OrgKind.ENTERPRISE, jurisdiction="110101", trade_class=TradeClass.C)
    second_class = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    later = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440304")
    caller = caller_of(db, regulator)
    with UnitOfWork(db, caller.actor) as uow:
        classify(uow, caller, second_class.org_id, ClassChange("B", "late receipts"))
        # Dated ahead: today's count still has it as A.
        ahead = business_date() + timedelta(days=30)
        classify(uow, caller, later.org_id, ClassChange("C", "from next month", ahead))
        uow.commit()
    login(client, name)
    page = client.get("/").text
    assert 'data-test="class-A">4<' in page
    assert 'data-test="class-B">1<' in page
    assert 'data-test="class-C">0<' in page  # Beijing's class C firm is not in its subtree


def test_operator_home_counts_parties_by_kind(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.OPERATOR)
    make_party(db, OrgKind.BANK)
    make_party(db, OrgKind.BANK)
    make_party(db, OrgKind.CUSTOMS)
    login(client, name)
    page = client.get("/").text
    assert 'data-test="count-bank">2<' in page
    assert 'data-test="count-customs">1<' in page
    assert 'data-test="count-operator">1<' in page


def test_nav_entries_follow_kind_and_role(client: TestClient, db: Database) -> None:
    org_id, name = party_user(db, OrgKind.BANK)
    viewer = add_user(db, org_id, Role.AUDITOR)
    entries = client.app.state.portal.nav  # type: ignore[attr-defined]
    entries.append(
        NavEntry(
            "nav.home",
            "/bank-only",
            kinds=kinds(OrgKind.BANK),
            roles=roles(Role.ADMIN),
            description="nav.ledger.description",
        )
    )
    try:
        login(client, name)
        assert 'href="/bank-only"' in client.get("/").text
        client.cookies.clear()
        login(client, viewer)
        assert 'href="/bank-only"' not in client.get("/").text
    finally:
        entries.pop()
    assert entries_for(entries, None) == []


def test_unknown_page_is_an_html_404_for_browsers(client: TestClient) -> None:
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/v1/no/such/thing", headers={"Accept": "text/html"})
    assert api.headers["content-type"].startswith("application/problem+json")


def test_pages_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(p in paths for p in ("/", "/login", "/ledger", "/logout", "/language"))
