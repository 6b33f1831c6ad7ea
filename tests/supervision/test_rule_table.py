"""Every rule kind of issue 12, table-driven: a crafted case raises exactly one alert of the
kind, listing the records that raised it; a near miss raises none; a scope override set
for Shenzhen (440300) changes the crafted case's outcome there and not in its sibling
Guangzhou (440100). Each case runs the real path: the API, the payment submission, the
sweeps (docs/supervision.md, "Alert rules are data")."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.financing.models import Financing
from crossfin.financing.sweeps import sweep as financing_sweep
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import set_rule
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.supervision.volume import sweep as volume_sweep
from support.financing import application, declaration, make_firms, today
from support.parties import TEST_ACTOR
from support.payments import make_forwarders, p2_body, submit

SHENZHEN, GUANGZHOU = "440305", "440106"  # counties of sibling prefectures 440300, 440100
Records = set[tuple[str, str]]


@dataclass(frozen=True)
class Outcome:
    """The firm a scenario ran for, and the records its alert must list."""

    org_id: int
    records: Records


Run = Callable[[TestClient, Database, str, bool], Outcome]


@dataclass(frozen=True)
class Case:
    kind: AlertKind
    run: Run  # (client, db, county, crafted?) -> the firm and the expected records
    override: dict[str, Any]  # set for 440300: silences the crafted case there
    enable_first: bool = False  # off at version 0: turned on at the head office first


def _post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/v1/financings", json=body, headers=headers)


def _duplicate(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """Crafted: fully financed, then tried again; near miss: 990.00 financed, 10.00 asked."""
    firms = make_firms(db, banks=2, county=county)
    doc = declaration(db, firms, "1000.00")
    first = "1000.00" if crafted else "990.00"
    assert (
        _post(client, firms.banks[0].headers, application(firms, [doc], first)).status_code == 201
    )
    body = application(firms, [doc], "10.00")
    answer = _post(client, firms.banks[1].headers, body)
    assert answer.status_code == (409 if crafted else 201), answer.text
    return Outcome(
        firms.enterprise.org_id, {("attempt", body["external_ref"]), ("document", str(doc.id))}
    )


def _over(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """800.00 of 1,000.00 financed; crafted asks 300.00 more, the near miss 200.00."""
    firms = make_firms(db, banks=2, county=county)
    doc = declaration(db, firms, "1000.00")
    assert (
        _post(client, firms.banks[0].headers, application(firms, [doc], "800.00")).status_code
        == 201
    )
    body = application(firms, [doc], "300.00" if crafted else "200.00")
    answer = _post(client, firms.banks[1].headers, body)
    assert answer.status_code == (409 if crafted else 201), answer.text
    return Outcome(
        firms.enterprise.org_id, {("attempt", body["external_ref"]), ("document", str(doc.id))}
    )


def _many_banks(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """A financed declaration tried at three more banks within 30 days; the near miss
    ages the first refusal to 31 days, so only two fall in the window."""
    firms = make_firms(db, banks=4, county=county)
    doc = declaration(db, firms, "1000.00")
    assert (
        _post(client, firms.banks[0].headers, application(firms, [doc], "1000.00")).status_code
        == 201
    )
    for n, bank in enumerate(firms.banks[1:]):
        assert _post(client, bank.headers, application(firms, [doc], "10.00")).status_code == 409
        if n == 0 and not crafted:
            with UnitOfWork(db, TEST_ACTOR) as uow:
                uow.session.execute(
                    update(Alert)
                    .where(Alert.document_id == doc.id)
                    .values(created_at=utcnow() - timedelta(days=31))
                )
                uow.commit()
    with db.session(readonly=True) as session:
        refusals = session.scalars(
            select(Alert.id).where(
                Alert.document_id == doc.id, Alert.kind != AlertKind.MANY_BANKS.value
            )
        ).all()
    return Outcome(
        firms.enterprise.org_id,
        {("document", str(doc.id))} | {("alert", str(i)) for i in refusals},
    )


def _above_exports(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """12-month exports of 1,000.00 (an import beside them does not count); crafted
    finances 900.00 (90 % > 80 %), the near miss exactly 800.00."""
    firms = make_firms(db, banks=1, county=county)
    doc = declaration(db, firms, "1000.00")
    declaration(db, firms, "50000.00", export=False)
    declaration(db, firms, "50000.00", shipped=today() - timedelta(days=400))  # too old
    answer = _post(
        client, firms.banks[0].headers, application(firms, [doc], "900.00" if crafted else "800.00")
    )
    assert answer.status_code == 201, answer.text
    return Outcome(firms.enterprise.org_id, {("financing", str(answer.json()["id"]))})


def _payment_without_documents(
    client: TestClient, db: Database, county: str, crafted: bool
) -> Outcome:
    """A P2 payment naming no tax filing: USD 60,000 (above the 50,000 threshold), or
    exactly 50,000 (the near miss, accepted)."""
    fw = make_forwarders(db, banks=1, county=county)
    body = p2_body(fw, None, "60000.00" if crafted else "50000.00")
    [outcome] = submit(db, fw.banks[0], body)
    assert (getattr(outcome, "status", None) == 422) == crafted, outcome
    return Outcome(fw.payer.org_id, {("attempt", body["external_ref"])})


def _class_c(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """A small P2 payment of a class-C firm (refused), or of a class-B one (checked)."""
    fw = make_forwarders(db, banks=1, county=county, trade_class="C" if crafted else "B")
    [outcome] = submit(db, fw.banks[0], p2_body(fw, None, "100.00"))
    assert (getattr(outcome, "status", None) == 403) == crafted, outcome
    return Outcome(fw.payer.org_id, {("attempt", "P2")})


def _overdue(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """A loan due in 10 days; the sweep runs 12 days on (crafted), or on its due date."""
    firms = make_firms(db, banks=1, county=county)
    doc = declaration(db, firms, "1000.00")
    fid = _post(client, firms.banks[0].headers, application(firms, [doc], "100.00")).json()["id"]
    h = firms.checkers[0].headers
    assert client.post(f"/v1/financings/{fid}/approve", json={}, headers=h).status_code == 200
    due = (today() + timedelta(days=10)).isoformat()
    disbursed = client.post(
        f"/v1/financings/{fid}/disburse", json={"due_date": due}, headers=firms.banks[0].headers
    )
    assert disbursed.status_code == 200, disbursed.text
    financing_sweep(db, now=utcnow() + timedelta(days=12 if crafted else 10))
    return Outcome(firms.enterprise.org_id, {("financing", str(fid))})


def _monthly_volume(client: TestClient, db: Database, county: str, crafted: bool) -> Outcome:
    """USD 100.00 in each of the last three months; this month 400.00 (4x the median,
    above 3x), or exactly 300.00 (the near miss)."""
    firms = make_firms(db, banks=1, county=county)
    ids = []
    for amount in ("100.00", "100.00", "100.00", "400.00" if crafted else "300.00"):
        doc = declaration(db, firms, "1000.00")
        ids.append(
            _post(client, firms.banks[0].headers, application(firms, [doc], amount)).json()["id"]
        )
    with UnitOfWork(db, TEST_ACTOR) as uow:
        for fid, back in zip(ids[:3], (1, 2, 3), strict=True):
            row = uow.session.get_one(Financing, fid)
            row.created_at = row.created_at - timedelta(days=31 * back)
        uow.commit()
    volume_sweep(db)
    return Outcome(firms.enterprise.org_id, {("financing", str(ids[3]))})


OFF = {"enabled": False}
CASES = [
    Case(AlertKind.DUPLICATE_FINANCING, _duplicate, OFF),
    Case(AlertKind.OVER_FINANCING, _over, OFF),
    Case(AlertKind.MANY_BANKS, _many_banks, {"banks": 4}),
    Case(AlertKind.ABOVE_EXPORTS, _above_exports, {"percent": "95"}, enable_first=True),
    Case(AlertKind.PAYMENT_WITHOUT_DOCUMENTS, _payment_without_documents, OFF),
    Case(AlertKind.OVERDUE, _overdue, OFF),
    Case(AlertKind.MONTHLY_VOLUME, _monthly_volume, {"factor": "5"}, enable_first=True),
    Case(AlertKind.CLASS_NOT_ELIGIBLE, _class_c, OFF),
]


def _set(db: Database, kind: AlertKind, scope: str, **change: Any) -> None:
    enabled = change.pop("enabled", True)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_rule(uow, None, kind, scope, enabled=enabled, params=change, reason="test")
        uow.commit()


def _alerts(db: Database, org_id: int, kind: AlertKind) -> list[Alert]:
    with db.session(readonly=True) as session:
        return list(
            session.scalars(
                select(Alert).where(Alert.subject_org_id == org_id, Alert.kind == kind.value)
            )
        )


@pytest.fixture(params=CASES, ids=[c.kind.value for c in CASES])
def case(request: pytest.FixtureRequest, db: Database) -> Case:
    chosen: Case = request.param
    if chosen.enable_first:
        _set(db, chosen.kind, "000000")
    return chosen


def test_a_crafted_case_raises_one_alert_with_its_records(
    client: TestClient, db: Database, case: Case
) -> None:
    outcome = case.run(client, db, SHENZHEN, True)
    [alert] = _alerts(db, outcome.org_id, case.kind)
    listed = {(r["type"], str(r["id"])) for r in json.loads(alert.records)}
    assert outcome.records <= listed, (outcome.records, listed)
    assert json.loads(alert.rule or "{}")["kind"] == case.kind.value


def test_a_near_miss_raises_none(client: TestClient, db: Database, case: Case) -> None:
    outcome = case.run(client, db, SHENZHEN, False)
    assert _alerts(db, outcome.org_id, case.kind) == []


def test_an_override_changes_its_subtree_not_a_sibling(
    client: TestClient, db: Database, case: Case
) -> None:
    _set(db, case.kind, "440300", **case.override)
    there = case.run(client, db, SHENZHEN, True)
    sibling = case.run(client, db, GUANGZHOU, True)
    assert _alerts(db, there.org_id, case.kind) == []
    [alert] = _alerts(db, sibling.org_id, case.kind)
    assert json.loads(alert.rule or "{}")["scope"] == "000000"
