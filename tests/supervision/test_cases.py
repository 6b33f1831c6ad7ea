"""Cases: opened from an alert or joined, assigned, moved to an outcome, noted; each step
one ledger event; only the subtree's regulators see them (API and portal)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Actor, Database
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind, Principal, Role
from crossfin.supervision.models import AlertCase
from support.parties import Party, make_party
from support.web import add_user, csrf_from, login


def _alert(db: Database, org_id: int, kind: AlertKind = AlertKind.OVERDUE) -> int:
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        org = uow.session.get_one(Organization, org_id)
        raised = raise_alert(
            uow, kind, subject_org_id=org.id, jurisdiction_path=org.jurisdiction_path, details={}
        )
        assert raised is not None
        uow.commit()
        return raised[0].id


def _principal(db: Database, username: str) -> int:
    with db.session(readonly=True) as session:
        return session.scalars(select(Principal.id).where(Principal.username == username)).one()


@dataclass
class World:
    shenzhen_firm: Party
    canton_firm: Party
    province: Party  # Guangdong 440000
    prefecture: Party  # Shenzhen 440300
    sibling: Party  # Shanghai 310000
    head: Party
    shenzhen_alert: int
    canton_alert: int


@pytest.fixture
def world(db: Database) -> World:
    shenzhen = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    canton = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440106")
    return World(
        shenzhen,
        canton,
        make_party(db, OrgKind.REGULATOR, jurisdiction="440000"),
        make_party(db, OrgKind.REGULATOR, jurisdiction="440300"),
        make_party(db, OrgKind.REGULATOR, jurisdiction="310000"),
        make_party(db, OrgKind.REGULATOR, jurisdiction="000000"),
        # Kinds that open no case by themselves (alert_rules.QUIET_CASES): opened by hand here.
        _alert(db, shenzhen.org_id),
        _alert(db, canton.org_id, AlertKind.VERIFICATION_MISMATCHES),
    )


def _events(db: Database, kind: str) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).where(LedgerEvent.type == kind)) or 0


def test_the_whole_workflow(client: TestClient, db: Database, world: World) -> None:
    h = world.prefecture.headers
    opened = client.post(f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=h)
    assert opened.status_code == 200, opened.text
    case = opened.json()
    assert (case["state"], case["overdue"], case["receipt"]["leaf_hash"] != "") == (
        "open",
        False,
        True,
    )
    cid = case["id"]
    # A second alert on the same enterprise joins the open case as it is raised.
    second = _alert(db, world.shenzhen_firm.org_id, AlertKind.OVER_FINANCING)
    assert client.get(f"/v1/alerts/{second}", headers=h).json()["case_id"] == cid
    again = client.post(f"/v1/alerts/{second}/case", json={}, headers=h)
    assert again.status_code == 409 and again.json()["case"] == cid
    analyst = _principal(db, add_user(db, world.prefecture.org_id, Role.OPERATOR))
    assigned = client.post(f"/v1/cases/{cid}/assign", json={"principal_id": analyst}, headers=h)
    assert assigned.status_code == 200 and assigned.json()["assignee_principal_id"] == analyst
    note = client.post(f"/v1/cases/{cid}/notes", json={"text": "called the bank"}, headers=h)
    assert note.status_code == 201 and note.json()["detail"] == {"text": "called the bank"}
    moved = client.post(f"/v1/cases/{cid}/transition", json={"to": "investigating"}, headers=h)
    assert moved.json()["state"] == "investigating"
    closed = client.post(
        f"/v1/cases/{cid}/transition", json={"to": "closed", "outcome": "warning_issued"}, headers=h
    )
    assert (closed.json()["state"], closed.json()["outcome"]) == ("closed", "warning_issued")
    detail = client.get(f"/v1/cases/{cid}", headers=h).json()
    assert [a["id"] for a in detail["alerts"]] == [world.shenzhen_alert, second]
    assert [s["action"] for s in detail["steps"]] == [
        "open",
        "join",
        "assign",
        "note",
        "move",
        "move",
    ]
    for event, n in (("open", 1), ("join", 1), ("assign", 1), ("note", 1), ("move", 2)):
        assert _events(db, f"supervision:case:{event}") == n
    # Closed: the next alert of the firm opens a new case.
    third = _alert(db, world.shenzhen_firm.org_id)
    fresh = client.post(f"/v1/alerts/{third}/case", json={}, headers=h).json()
    assert fresh["id"] != cid


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to": "closed"}, 422),  # no outcome
        ({"to": "investigating", "outcome": "referred"}, 422),  # only closing takes one
        ({"to": "open"}, 409),
        ({"to": "nonsense"}, 422),
        ({"to": "closed", "outcome": "maybe"}, 422),
    ],
)
def test_invalid_moves_change_nothing(
    client: TestClient, db: Database, world: World, body: dict[str, str], status: int
) -> None:
    h = world.province.headers
    cid = client.post(f"/v1/alerts/{world.canton_alert}/case", json={}, headers=h).json()["id"]
    before = _events(db, "supervision:case:move")
    res = client.post(f"/v1/cases/{cid}/transition", json=body, headers=h)
    assert res.status_code == status, res.text
    assert client.get(f"/v1/cases/{cid}", headers=h).json()["state"] == "open"
    assert _events(db, "supervision:case:move") == before


def test_a_closed_case_moves_no_more(client: TestClient, world: World) -> None:
    h = world.province.headers
    cid = client.post(f"/v1/alerts/{world.canton_alert}/case", json={}, headers=h).json()["id"]
    body = {"to": "closed", "outcome": "false_positive"}
    assert client.post(f"/v1/cases/{cid}/transition", json=body, headers=h).status_code == 200
    assert client.post(f"/v1/cases/{cid}/transition", json=body, headers=h).status_code == 409
    moved = client.post(f"/v1/cases/{cid}/transition", json={"to": "investigating"}, headers=h)
    assert moved.status_code == 409


def test_assignees_are_regulator_users_over_the_case(
    client: TestClient, db: Database, world: World
) -> None:
    h = world.province.headers
    cid = client.post(f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=h).json()["id"]
    outsiders = [
        _principal(db, add_user(db, world.sibling.org_id)),  # a sibling province's user
        _principal(db, add_user(db, world.shenzhen_firm.org_id)),  # the enterprise's
        world.province.principal_id,  # a service account, not a person
        987654,
    ]
    for principal in outsiders:
        res = client.post(f"/v1/cases/{cid}/assign", json={"principal_id": principal}, headers=h)
        assert res.status_code == 422, (principal, res.text)
        assert res.json()["errors"][0]["field"] == "principal_id"
    assert client.get(f"/v1/cases/{cid}", headers=h).json()["assignee_principal_id"] is None


def test_overdue_flag_and_filters(client: TestClient, db: Database, world: World) -> None:
    h = world.head.headers
    late = client.post(f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=h).json()["id"]
    on_time = client.post(f"/v1/alerts/{world.canton_alert}/case", json={}, headers=h).json()["id"]
    with UnitOfWork(db, Actor(None, None, "test")) as uow:  # the case fell behind: due last week
        case = uow.session.get_one(AlertCase, late)
        case.due_date = case.opened_at.date().replace(year=case.opened_at.year - 1)
        uow.commit()
    assert [c["id"] for c in client.get("/v1/cases?overdue=true", headers=h).json()["items"]] == [
        late
    ]
    assert [c["id"] for c in client.get("/v1/cases?overdue=false", headers=h).json()["items"]] == [
        on_time
    ]
    assert client.get(f"/v1/cases/{late}", headers=h).json()["overdue"] is True
    assert client.get("/v1/cases?state=closed", headers=h).json()["items"] == []
    fresh = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440106")  # no case to join
    past = client.post(
        f"/v1/alerts/{_alert(db, fresh.org_id)}/case",
        json={"due_date": "2000-01-01"},
        headers=world.province.headers,
    )
    assert past.status_code == 422


def test_each_regulator_sees_exactly_its_subtree(client: TestClient, world: World) -> None:
    sz = client.post(
        f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=world.head.headers
    ).json()["id"]
    gz = client.post(
        f"/v1/alerts/{world.canton_alert}/case", json={}, headers=world.head.headers
    ).json()["id"]
    expect = {
        "province": ({world.shenzhen_alert, world.canton_alert}, {sz, gz}),
        "prefecture": ({world.shenzhen_alert}, {sz}),
        "sibling": (set(), set()),
    }
    for who, (alerts, cases) in expect.items():
        h = getattr(world, who).headers
        assert {a["id"] for a in client.get("/v1/alerts", headers=h).json()["items"]} == alerts, who
        assert {c["id"] for c in client.get("/v1/cases", headers=h).json()["items"]} == cases, who
        for aid in (world.shenzhen_alert, world.canton_alert):
            got = client.get(f"/v1/alerts/{aid}", headers=h).status_code
            assert got == (200 if aid in alerts else 404), (who, aid)
        for cid in (sz, gz):
            got = client.get(f"/v1/cases/{cid}", headers=h)
            assert got.status_code == (200 if cid in cases else 404), (who, cid)
            if cid not in cases:
                assert got.json()["detail"] == f"no case {cid}"
                note = client.post(f"/v1/cases/{cid}/notes", json={"text": "x"}, headers=h)
                assert note.status_code == 404


def test_banks_and_enterprises_are_refused(client: TestClient, db: Database, world: World) -> None:
    cid = client.post(
        f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=world.head.headers
    ).json()["id"]
    for party in (
        make_party(db, OrgKind.BANK),
        world.shenzhen_firm,
        make_party(db, OrgKind.OPERATOR),
    ):
        h = party.headers
        assert client.get("/v1/cases", headers=h).status_code == 403
        assert client.get(f"/v1/cases/{cid}", headers=h).status_code == 403
        assert client.get(f"/v1/alerts/{world.shenzhen_alert}", headers=h).status_code == 403
        assert (
            client.post(f"/v1/cases/{cid}/notes", json={"text": "x"}, headers=h).status_code == 403
        )
    auditor = make_party(db, OrgKind.REGULATOR, Role.AUDITOR, jurisdiction="440000")
    assert client.get(f"/v1/cases/{cid}", headers=auditor.headers).status_code == 200
    assert (
        client.post(
            f"/v1/cases/{cid}/notes", json={"text": "x"}, headers=auditor.headers
        ).status_code
        == 403
    )


def test_case_steps_are_read_by_regulators_only(
    client: TestClient, db: Database, world: World
) -> None:
    """The step events name the acting regulator as their party, never the enterprise."""
    client.post(
        f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=world.prefecture.headers
    )
    with db.session(readonly=True) as session:
        index = session.scalars(
            select(LedgerEvent.leaf_index).where(LedgerEvent.type == "supervision:case:open")
        ).one()
    for party, status in (
        (world.prefecture, 200),
        (world.province, 200),
        (world.sibling, 404),
        (world.shenzhen_firm, 404),
    ):
        got = client.get(f"/v1/log/entries/{index}", headers=party.headers)
        assert got.status_code == status, (party, got.text)


def test_portal_pages(client: TestClient, db: Database, world: World) -> None:
    user = add_user(db, world.prefecture.org_id, Role.ADMIN)
    login(client, user)
    page = client.get(f"/alerts/{world.shenzhen_alert}")
    assert page.status_code == 200 and 'data-test="open-case"' in page.text
    assert client.get(f"/alerts/{world.canton_alert}").status_code == 404
    token = csrf_from(page.text)
    opened = client.post(
        f"/alerts/{world.shenzhen_alert}/case", data={"csrf_token": token}, follow_redirects=False
    )
    assert opened.status_code == 303
    case_url = opened.headers["location"]
    case = client.get(case_url)
    assert case.status_code == 200 and 'data-test="assign"' in case.text
    bad = client.post(f"{case_url}/transition", data={"csrf_token": token, "to": "closed"})
    assert bad.status_code == 422 and 'data-test="problem"' in bad.text
    done = client.post(
        f"{case_url}/transition",
        data={"csrf_token": token, "to": "closed", "outcome": "referred"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'data-test="case-outcome"' in client.get(case_url).text
    listing = client.get("/cases?state=closed")
    assert listing.status_code == 200 and case_url.rsplit("/", 1)[1] in listing.text
    gz = client.post(
        f"/v1/alerts/{world.canton_alert}/case", json={}, headers=world.head.headers
    ).json()["id"]
    assert client.get(f"/cases/{gz}").status_code == 404
    client.cookies.clear()
    bank = add_user(db, make_party(db, OrgKind.BANK).org_id)
    login(client, bank)
    assert client.get("/cases").status_code == 403


def test_portal_lists_exactly_the_subtree(client: TestClient, db: Database, world: World) -> None:
    sz = client.post(f"/v1/alerts/{world.shenzhen_alert}/case", json={}, headers=world.head.headers)
    gz = client.post(f"/v1/alerts/{world.canton_alert}/case", json={}, headers=world.head.headers)
    cases = {world.shenzhen_alert: sz.json()["id"], world.canton_alert: gz.json()["id"]}
    expect = {
        "province": {world.shenzhen_alert, world.canton_alert},
        "prefecture": {world.shenzhen_alert},
        "sibling": set(),
    }
    for who, alerts in expect.items():
        client.cookies.clear()
        login(client, add_user(db, getattr(world, who).org_id))
        listed = client.get("/alerts").text
        cases_page = client.get("/cases").text
        for aid, cid in cases.items():
            assert (f'data-test="alert-{aid}"' in listed) == (aid in alerts), (who, aid)
            assert (f'data-test="case-{cid}"' in cases_page) == (aid in alerts), (who, cid)
            assert client.get(f"/alerts/{aid}").status_code == (200 if aid in alerts else 404)
            assert client.get(f"/cases/{cid}").status_code == (200 if aid in alerts else 404)


def test_two_alerts_of_one_firm_opened_at_once_make_one_case(db: Database, world: World) -> None:
    import threading

    from crossfin.supervision.casework import service as cases
    from support.payments import caller_of

    second = _alert(db, world.shenzhen_firm.org_id, AlertKind.VERIFICATION_MISMATCHES)
    caller = caller_of(db, world.province)
    barrier, found, errors = threading.Barrier(2), [], []

    def open_one(alert_id: int) -> None:
        try:
            barrier.wait(5)
            with UnitOfWork(db, caller.actor) as uow:
                case, _, _ = cases.open_case(uow, caller, alert_id)
                uow.commit()
                found.append(case.id)
        except Exception as exc:  # noqa: BLE001 (reported below, never swallowed)
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(a,)) for a in (world.shenzhen_alert, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(found) == 2
    assert found[0] == found[1]
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(AlertCase)) == 1
