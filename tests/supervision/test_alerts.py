"""Regulators read the alerts of their subtree, through the API and the portal; nobody else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind
from support.parties import make_party
from support.web import login, party_user


def _alert(db: Database, org_id: int, kind: AlertKind, **details: object) -> None:
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        org = uow.session.get_one(Organization, org_id)
        raise_alert(
            uow,
            kind,
            subject_org_id=org.id,
            jurisdiction_path=org.jurisdiction_path,
            details=dict(details),
        )
        uow.commit()


def test_regulators_see_their_subtree_only(client: TestClient, db: Database) -> None:
    nanshan = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    ningbo = make_party(db, OrgKind.ENTERPRISE, jurisdiction="330203")
    _alert(db, nanshan.org_id, AlertKind.OVER_FINANCING, remaining="10.00")
    _alert(db, ningbo.org_id, AlertKind.OVERDUE, financing=7)
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    head = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    seen = client.get("/v1/alerts", headers=shenzhen.headers)
    assert seen.status_code == 200
    items = seen.json()["items"]
    assert [(a["kind"], a["subject_org_id"]) for a in items] == [("over-financing", nanshan.org_id)]
    assert items[0]["details"] == {"remaining": "10.00"}
    assert len(client.get("/v1/alerts", headers=head.headers).json()["items"]) == 2
    only = client.get("/v1/alerts?kind=overdue", headers=head.headers).json()["items"]
    assert [a["kind"] for a in only] == ["overdue"]


def test_paging_and_denials(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    for n in range(3):
        _alert(db, firm.org_id, AlertKind.DUPLICATE_FINANCING, attempt=n)
    head = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    first = client.get("/v1/alerts?limit=2", headers=head.headers).json()
    assert len(first["items"]) == 2 and first["next_after"] is not None
    rest = client.get(f"/v1/alerts?limit=2&after={first['next_after']}", headers=head.headers)
    assert [a["details"]["attempt"] for a in rest.json()["items"]] == [2]
    assert rest.json()["next_after"] is None
    for kind in (OrgKind.BANK, OrgKind.ENTERPRISE, OrgKind.OPERATOR):
        other = make_party(db, kind)
        assert client.get("/v1/alerts", headers=other.headers).status_code == 403
    assert client.get("/v1/alerts").status_code == 401
    assert client.get("/v1/alerts?kind=nonsense", headers=head.headers).status_code == 422


def test_alerts_page_for_regulators(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    _alert(db, firm.org_id, AlertKind.VERIFICATION_MISMATCHES, document=1, bank=2)
    _, regulator = party_user(db, OrgKind.REGULATOR)
    login(client, regulator)
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "Verification mismatches" in page.text and 'data-test="alerts"' in page.text
    assert "/alerts" in client.get("/").text  # the menu and the home card link to it


def test_alerts_page_refuses_other_kinds(client: TestClient, db: Database) -> None:
    _, bank = party_user(db, OrgKind.BANK)
    login(client, bank)
    assert client.get("/alerts").status_code == 403
