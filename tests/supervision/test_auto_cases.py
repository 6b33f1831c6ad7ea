"""Alerts open or join cases as they are raised (docs/supervision.md, "Cases"): an alert
about a firm with an open case joins it, else a rule marked `opens_case` opens one; each a
case step and a ledger event in the alert's transaction, read by the regulators only."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from crossfin.core.db import Actor, Database
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import set_rule
from crossfin.parties.alerts import Alert, AlertKind, raise_alert
from crossfin.parties.models import Organization, OrgKind
from crossfin.supervision.models import AlertCase, CaseStep
from support.financing import application, declaration, make_firms
from support.parties import TEST_ACTOR, make_party

BANKISH = Actor(None, None, "test")


def _raise(uow: UnitOfWork, org_id: int, kind: AlertKind) -> Alert:
    org = uow.session.get_one(Organization, org_id)
    raised = raise_alert(
        uow, kind, subject_org_id=org.id, jurisdiction_path=org.jurisdiction_path, details={}
    )
    assert raised is not None
    return raised[0]


def _alert(db: Database, org_id: int, kind: AlertKind) -> Alert:
    with UnitOfWork(db, BANKISH) as uow:
        alert = _raise(uow, org_id, kind)
        uow.commit()
    return alert


def _cases(db: Database, org_id: int) -> list[tuple[int, list[int]]]:
    """The firm's cases, each with the ids of its alerts."""
    with db.session(readonly=True) as session:
        ids = session.scalars(
            select(AlertCase.id).where(AlertCase.subject_org_id == org_id).order_by(AlertCase.id)
        ).all()
        return [
            (
                cid,
                list(
                    session.scalars(select(Alert.id).where(Alert.case_id == cid).order_by(Alert.id))
                ),
            )
            for cid in ids
        ]


def test_a_refusal_opens_a_case_and_the_next_alerts_join_it(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=2)
    doc = declaration(db, firms, "1000.00")
    body = application(firms, [doc], "900.00")
    assert (
        client.post("/v1/financings", json=body, headers=firms.banks[0].headers).status_code == 201
    )
    tried = body | {"external_ref": "LN-AGAIN"}
    refused = client.post("/v1/financings", json=tried, headers=firms.banks[1].headers)
    assert refused.status_code == 409
    firm = firms.enterprise.org_id
    [(case_id, [first])] = _cases(db, firm)
    overdue = _alert(db, firm, AlertKind.OVERDUE)  # a quiet kind: joins the open case
    assert _cases(db, firm) == [(case_id, [first, overdue.id])]
    with db.session(readonly=True) as session:
        steps = session.scalars(select(CaseStep).where(CaseStep.case_id == case_id)).all()
        case = session.get_one(AlertCase, case_id)
    assert [(s.action, s.principal_id, s.principal_name) for s in steps] == [
        ("open", None, None),
        ("join", None, None),
    ]
    assert '"auto": true' in steps[0].detail and case.opened_by_principal_id is None
    assert case.jurisdiction_path == "/000000/440000/440300/440305/"
    head = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    shown = client.get(f"/v1/cases/{case_id}", headers=head.headers).json()
    assert [a["id"] for a in shown["alerts"]] == [first, overdue.id]


def test_a_quiet_kind_opens_no_case(db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    for kind in (AlertKind.OVERDUE, AlertKind.VERIFICATION_MISMATCHES):  # volume: off at v0
        _alert(db, firm.org_id, kind)
    assert _cases(db, firm.org_id) == []
    _alert(db, firm.org_id, AlertKind.CLASS_NOT_ELIGIBLE)
    assert len(_cases(db, firm.org_id)) == 1


def test_opens_case_is_a_rule_parameter_scoped_to_a_subtree(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_rule(
            uow,
            None,
            AlertKind.CLASS_NOT_ELIGIBLE,
            "440300",
            enabled=True,
            params={"opens_case": False},
            reason="Shenzhen works class refusals without cases",
        )
        set_rule(
            uow,
            None,
            AlertKind.OVERDUE,
            "440000",
            enabled=True,
            params={"opens_case": True},
            reason="Guangdong follows every overdue loan",
        )
        uow.commit()
    shenzhen = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    canton = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440106")
    shanghai = make_party(db, OrgKind.ENTERPRISE, jurisdiction="310115")
    for firm, class_case in ((shenzhen, 0), (canton, 1), (shanghai, 1)):
        _alert(db, firm.org_id, AlertKind.CLASS_NOT_ELIGIBLE)
        assert len(_cases(db, firm.org_id)) == class_case, firm
    with UnitOfWork(db, TEST_ACTOR) as uow:  # close them: the overdue alert starts afresh
        uow.session.execute(update(AlertCase).values(state="closed"))
        uow.commit()
    for firm, expected in ((shenzhen, 1), (canton, 1), (shanghai, 0)):
        before = len(_cases(db, firm.org_id))
        _alert(db, firm.org_id, AlertKind.OVERDUE)
        assert len(_cases(db, firm.org_id)) - before == expected, firm


def test_a_closed_case_is_never_joined(db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    _alert(db, firm.org_id, AlertKind.OVER_FINANCING)
    [(first, _)] = _cases(db, firm.org_id)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        uow.session.get_one(AlertCase, first).state = "closed"
        uow.commit()
    _alert(db, firm.org_id, AlertKind.OVERDUE)  # quiet: no open case, none opened
    again = _alert(db, firm.org_id, AlertKind.OVER_FINANCING)
    assert [c for c, _ in _cases(db, firm.org_id)] == [first, again.case_id]


def test_steps_are_read_by_the_regulators_over_the_case_only(
    client: TestClient, db: Database
) -> None:
    """The alert was raised in a bank's transaction: its case events name the regulators
    over the case, not the bank, and never the enterprise."""
    firms = make_firms(db, banks=2)
    province = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    prefecture = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    sibling = make_party(db, OrgKind.REGULATOR, jurisdiction="310000")
    doc = declaration(db, firms, "1000.00")
    body = application(firms, [doc], "900.00")
    client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    again = body | {"external_ref": "LN-AGAIN"}
    assert (
        client.post("/v1/financings", json=again, headers=firms.banks[1].headers).status_code == 409
    )
    with db.session(readonly=True) as session:
        index = session.scalars(
            select(LedgerEvent.leaf_index).where(LedgerEvent.type == "supervision:case:open")
        ).one()
    for party, status in (
        (prefecture, 200),
        (province, 200),
        (sibling, 404),
        (firms.enterprise, 404),
        (firms.banks[1], 404),
    ):
        got = client.get(f"/v1/log/entries/{index}", headers=party.headers)
        assert got.status_code == status, (party, got.text)


def test_two_alerts_raised_at_once_for_one_firm_open_one_case(db: Database) -> None:
    """The first alert's transaction stays open after it opened the case; the second,
    raised meanwhile, finds no committed case, waits on the firm's lock (PostgreSQL) or
    the writer lock (SQLite), then joins the case the first committed."""
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    raised, errors = threading.Event(), []
    done: dict[str, float] = {}

    def first() -> None:
        try:
            with UnitOfWork(db, BANKISH) as uow:
                _raise(uow, firm.org_id, AlertKind.OVER_FINANCING)
                raised.set()
                time.sleep(0.5)  # the second alert is raised meanwhile
                done["first"] = time.monotonic()
                uow.commit()
        except Exception as exc:  # noqa: BLE001 (reported below, never swallowed)
            errors.append(exc)
            raised.set()

    def second() -> None:
        try:
            raised.wait(10)
            with UnitOfWork(db, BANKISH) as uow:
                _raise(uow, firm.org_id, AlertKind.DUPLICATE_FINANCING)
                done["second"] = time.monotonic()
                uow.commit()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert done["second"] > done["first"]  # it did wait for the first
    [(_, alerts)] = _cases(db, firm.org_id)
    assert len(alerts) == 2
    with db.session(readonly=True) as session:
        actions = session.scalars(select(CaseStep.action).order_by(CaseStep.id)).all()
        opened = session.scalar(
            select(func.count()).where(LedgerEvent.type == "supervision:case:open")
        )
    assert (list(actions), opened) == (["open", "join"], 1)


def test_many_concurrent_alerts_of_few_firms(db: Database) -> None:
    """Eight writers, two firms, alerts of several kinds at once: one case per firm,
    holding every alert of the firm."""
    firms = [make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305") for _ in range(2)]
    kinds = [
        AlertKind.OVER_FINANCING,
        AlertKind.CLASS_NOT_ELIGIBLE,
        AlertKind.DUPLICATE_FINANCING,
    ]
    barrier, errors = threading.Barrier(8), []

    def one(n: int) -> None:
        try:
            barrier.wait(10)
            with UnitOfWork(db, BANKISH) as uow:
                _raise(uow, firms[n % 2].org_id, kinds[n % 3])
                uow.commit()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    for firm in firms:
        [(_, alerts)] = _cases(db, firm.org_id)
        assert len(alerts) == 4
