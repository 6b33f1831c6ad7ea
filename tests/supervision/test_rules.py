"""Alert rules held as data: they fire on crafted cases, stay quiet on clean ones, obey their
scope and version, and a disabled rule raises nothing (docs/supervision.md)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.core.errors import Conflict, Forbidden, ValidationFailed
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import alert_rules
from crossfin.parties.alert_rules import rule_for, set_rule
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.models import OrgKind, Role
from support.financing import Firms, application, declaration, make_firms
from support.parties import TEST_ACTOR, Party, make_party
from support.payments import caller_of


def _alerts(db: Database, org_id: int, kind: AlertKind | None = None) -> list[Alert]:
    with db.session(readonly=True) as session:
        query = select(Alert).where(Alert.subject_org_id == org_id)
        if kind is not None:
            query = query.where(Alert.kind == kind.value)
        return list(session.scalars(query.order_by(Alert.id)))


def _register(client: TestClient, firms: Firms, bank: Party, docs: list[Any], amount: str) -> int:
    res = client.post("/v1/financings", json=application(firms, docs, amount), headers=bank.headers)
    return res.status_code


def _set(db: Database, kind: AlertKind, scope: str, enabled: bool = True, **params: Any) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_rule(uow, None, kind, scope, enabled=enabled, params=params, reason="test")
        uow.commit()


def test_over_financing_fires_with_its_records_and_rule(client: TestClient, db: Database) -> None:
    firms = make_firms(db, banks=1)
    doc = declaration(db, firms, "1000.00")
    assert _register(client, firms, firms.banks[0], [doc], "800.00") == 201
    assert _alerts(db, firms.enterprise.org_id) == []  # clean: quiet
    assert _register(client, firms, firms.banks[0], [doc], "300.00") == 409
    [alert] = _alerts(db, firms.enterprise.org_id)
    assert alert.kind == "over-financing"
    head = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    seen = client.get(f"/v1/alerts/{alert.id}", headers=head.headers).json()
    assert seen["rule"] == {
        "kind": "over-financing",
        "scope": "000000",
        "version": 0,
        "params": {"opens_case": True},
    }
    types = [(r["type"], r["href"]) for r in seen["records"]]
    assert types == [
        ("attempt", None),
        ("document", f"/v1/documents/customs_declaration/{doc.key}"),
    ]


def test_duplicate_financing_fires(client: TestClient, db: Database) -> None:
    firms = make_firms(db, banks=2)
    doc = declaration(db, firms, "1000.00")
    body = application(firms, [doc], "100.00")
    assert (
        client.post("/v1/financings", json=body, headers=firms.banks[0].headers).status_code == 201
    )
    again = client.post(
        "/v1/financings", json=body | {"external_ref": "X-2"}, headers=firms.banks[0].headers
    )
    assert again.status_code in (201, 409)
    kinds = {a.kind for a in _alerts(db, firms.enterprise.org_id)}
    assert kinds <= {"duplicate-financing", "over-financing"}


@pytest.mark.parametrize(("banks", "fires"), [(2, False), (3, True)])
def test_one_document_tried_at_n_banks(
    client: TestClient, db: Database, banks: int, fires: bool
) -> None:
    firms = make_firms(db, banks=4)
    doc = declaration(db, firms, "1000.00")
    assert _register(client, firms, firms.banks[0], [doc], "1000.00") == 201
    for bank in firms.banks[1 : 1 + banks]:
        assert _register(client, firms, bank, [doc], "10.00") == 409
    many = _alerts(db, firms.enterprise.org_id, AlertKind.MANY_BANKS)
    assert len(many) == (1 if fires else 0)
    if fires:
        assert many[0].rule is not None and '"banks": 3' in many[0].rule


def test_n_and_t_are_data(client: TestClient, db: Database) -> None:
    _set(db, AlertKind.MANY_BANKS, "440000", banks=2, window_days=7)
    firms = make_firms(db, banks=3)
    doc = declaration(db, firms, "1000.00")
    assert _register(client, firms, firms.banks[0], [doc], "1000.00") == 201
    for bank in firms.banks[1:]:
        assert _register(client, firms, bank, [doc], "10.00") == 409
    [many] = _alerts(db, firms.enterprise.org_id, AlertKind.MANY_BANKS)
    assert '"scope": "440000"' in (many.rule or "") and '"banks": 2' in (many.rule or "")


def test_a_disabled_rule_stays_quiet_in_its_subtree_only(client: TestClient, db: Database) -> None:
    _set(db, AlertKind.OVER_FINANCING, "440300", enabled=False)
    for county, expected in (("440305", 0), ("440106", 1), ("310115", 1)):
        firms = make_firms(db, banks=1, county=county)
        doc = declaration(db, firms, "1000.00")
        assert _register(client, firms, firms.banks[0], [doc], "900.00") == 201
        assert _register(client, firms, firms.banks[0], [doc], "200.00") == 409  # still refused
        assert len(_alerts(db, firms.enterprise.org_id)) == expected, county


def test_the_most_specific_scope_wins(db: Database) -> None:
    _set(db, AlertKind.MANY_BANKS, "000000", banks=5)
    _set(db, AlertKind.MANY_BANKS, "440000", banks=4)
    _set(db, AlertKind.MANY_BANKS, "440300", banks=2)
    with db.session(readonly=True) as session:
        shenzhen = rule_for(session, AlertKind.MANY_BANKS, "/000000/440000/440300/440305/")
        canton = rule_for(session, AlertKind.MANY_BANKS, "/000000/440000/440100/440106/")
        shanghai = rule_for(session, AlertKind.MANY_BANKS, "/000000/310000/310100/310115/")
        nowhere = rule_for(session, AlertKind.MANY_BANKS, None)
    assert (shenzhen.scope, shenzhen.params["banks"]) == ("440300", 2)
    assert (canton.scope, canton.params["banks"]) == ("440000", 4)
    assert (shanghai.scope, shanghai.params["banks"]) == ("000000", 5)
    assert nowhere.scope == "000000"
    assert shenzhen.params["window_days"] == 30  # unset parameters keep the default


def test_a_change_is_a_new_version_and_an_event(client: TestClient, db: Database) -> None:
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    body = {"kind": "document-tried-at-many-banks", "scope": "440000", "params": {"banks": 4}}
    first = client.post("/v1/alert-rules", json=body | {"reason": "pilot"}, headers=head.headers)
    assert first.status_code == 200, first.text
    second = client.post("/v1/alert-rules", json=body | {"reason": "again"}, headers=head.headers)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert second.json()["receipt"]["leaf_hash"]
    with db.session(readonly=True) as session:
        types = session.scalars(select(LedgerEvent.type)).all()
    assert types.count("supervision:alert-rule:set") == 2
    listed = client.get("/v1/alert-rules", headers=head.headers).json()
    assert {
        "kind": "document-tried-at-many-banks",
        "scope": "440000",
        "version": 2,
        "enabled": True,
        "params": {"banks": 4, "window_days": 30, "opens_case": True},
        "reason": "again",
        "changed_by_org_id": head.org_id,
    }.items() <= next(r for r in listed if r["scope"] == "440000").items()


def test_who_may_change_a_rule(client: TestClient, db: Database) -> None:
    province = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="440000")
    body = {"kind": "over-financing", "enabled": False, "reason": "pilot"}
    own = client.post("/v1/alert-rules", json=body | {"scope": "440300"}, headers=province.headers)
    assert own.status_code == 200, own.text
    sibling = client.post(
        "/v1/alert-rules", json=body | {"scope": "310000"}, headers=province.headers
    )
    assert sibling.status_code == 403
    root = client.post("/v1/alert-rules", json=body | {"scope": "000000"}, headers=province.headers)
    assert root.status_code == 403
    bank = make_party(db, OrgKind.BANK)
    assert (
        client.post(
            "/v1/alert-rules", json=body | {"scope": "440300"}, headers=bank.headers
        ).status_code
        == 403
    )
    assert client.get("/v1/alert-rules", headers=bank.headers).status_code == 403
    bad = client.post(
        "/v1/alert-rules",
        json={
            "kind": "document-tried-at-many-banks",
            "params": {"banks": 0, "x": 1},
            "reason": "r",
        },
        headers=province.headers,
    )
    assert bad.status_code == 403  # the root scope is the head office's: refused first
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    bad = client.post(
        "/v1/alert-rules",
        json={
            "kind": "document-tried-at-many-banks",
            "params": {"banks": 0, "x": 1},
            "reason": "r",
        },
        headers=head.headers,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"params.banks", "params.x"}
    unknown = client.post(
        "/v1/alert-rules", json={"kind": "nope", "reason": "r"}, headers=head.headers
    )
    assert unknown.status_code == 422


def test_two_changes_of_one_version_conflict(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _set(db, AlertKind.OVERDUE, "440000", enabled=False)
    # A change that read the rules before the first committed asks for version 1 too.
    monkeypatch.setattr(alert_rules, "newest_rows", lambda session, kind=None: [])
    with UnitOfWork(db, TEST_ACTOR) as uow, pytest.raises(Conflict):
        set_rule(uow, None, AlertKind.OVERDUE, "440000", enabled=True, params={}, reason="two")


def test_service_refusals(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    with UnitOfWork(db, TEST_ACTOR) as uow, pytest.raises(Forbidden):
        set_rule(
            uow,
            caller_of(db, bank),
            AlertKind.OVERDUE,
            "440000",
            enabled=False,
            params={},
            reason="r",
        )
    with UnitOfWork(db, TEST_ACTOR) as uow, pytest.raises(ValidationFailed):
        set_rule(uow, None, AlertKind.OVERDUE, "999999", enabled=False, params={}, reason="r")
    with UnitOfWork(db, TEST_ACTOR) as uow, pytest.raises(ValidationFailed):
        set_rule(uow, None, AlertKind.OVERDUE, "440000", enabled=False, params={}, reason=" ")


@pytest.mark.parametrize(("amount", "fires"), [("500.00", False), ("900.00", True)])
def test_financing_above_exports(
    client: TestClient, db: Database, amount: str, fires: bool
) -> None:
    firms = make_firms(db, banks=1)
    doc = declaration(db, firms, "1000.00")
    assert _register(client, firms, firms.banks[0], [doc], "900.00") == 201
    assert _alerts(db, firms.enterprise.org_id) == []  # version 0: off, as before rules
    _set(db, AlertKind.ABOVE_EXPORTS, "000000", enabled=True)  # the default 80 %
    firms = make_firms(db, banks=1)
    doc = declaration(db, firms, "1000.00")
    declaration(db, firms, "50000.00", export=False)  # an import: not exports
    assert _register(client, firms, firms.banks[0], [doc], amount) == 201
    found = _alerts(db, firms.enterprise.org_id, AlertKind.ABOVE_EXPORTS)
    assert len(found) == (1 if fires else 0)
    if fires:
        assert '"exports_usd": "1000.00"' in found[0].details
        assert '"type": "financing"' in found[0].records


def test_above_exports_counts_live_financings(client: TestClient, db: Database) -> None:
    _set(db, AlertKind.ABOVE_EXPORTS, "440000", percent="120")
    firms = make_firms(db, banks=1)
    docs = [declaration(db, firms, "1000.00") for _ in range(2)]
    assert _register(client, firms, firms.banks[0], [docs[0]], "1000.00") == 201
    assert _alerts(db, firms.enterprise.org_id) == []  # 1000 of 2000: 50 %
    assert _register(client, firms, firms.banks[0], [docs[1]], "1000.00") == 201
    assert _alerts(db, firms.enterprise.org_id) == []  # 2000 of 2000: 100 % < 120 %
    third = declaration(db, firms, "100.00")
    assert _register(client, firms, firms.banks[0], [third], "100.00") == 201
    assert _alerts(db, firms.enterprise.org_id) == []  # 2100 of 2100
    _set(db, AlertKind.ABOVE_EXPORTS, "440000", percent="90")
    fourth = declaration(db, firms, "100.00")
    assert _register(client, firms, firms.banks[0], [fourth], "100.00") == 201
    [alert] = _alerts(db, firms.enterprise.org_id)
    assert alert.records.count('"type": "financing"') == 4


def _age(db: Database, financing_ids: list[int], months: list[int]) -> None:
    """Move financings back in time: the firm's history, as if registered months ago."""
    from datetime import timedelta

    from crossfin.financing.models import Financing

    with UnitOfWork(db, TEST_ACTOR) as uow:
        for fid, back in zip(financing_ids, months, strict=True):
            row = uow.session.get_one(Financing, fid)
            row.created_at = row.created_at - timedelta(days=31 * back)
        uow.commit()


@pytest.mark.parametrize(("now", "fires"), [("250.00", False), ("400.00", True)])
def test_monthly_volume_far_above_history(
    client: TestClient, db: Database, now: str, fires: bool
) -> None:
    from crossfin.supervision.volume import sweep

    _set(db, AlertKind.MONTHLY_VOLUME, "000000", enabled=True)  # 3x the median, 3 of 6 months
    firms = make_firms(db, banks=1)
    ids = []
    for amount in ("100.00", "100.00", "100.00", now):
        doc = declaration(db, firms, "1000.00")
        res = client.post(
            "/v1/financings", json=application(firms, [doc], amount), headers=firms.banks[0].headers
        )
        ids.append(res.json()["id"])
    _age(db, ids[:3], [1, 2, 3])
    raised = sweep(db)
    found = _alerts(db, firms.enterprise.org_id, AlertKind.MONTHLY_VOLUME)
    assert len(found) == len(raised) == (1 if fires else 0)
    if fires:
        assert '"median_usd": "100.00"' in found[0].details
        assert f'"id": {ids[3]}' in found[0].records  # this month's financing explains it
        assert sweep(db) == []  # once per firm and month


def test_monthly_volume_needs_history(client: TestClient, db: Database) -> None:
    from crossfin.supervision.volume import sweep

    _set(db, AlertKind.MONTHLY_VOLUME, "000000", enabled=True)
    firms = make_firms(db, banks=1)
    ids = []
    for amount in ("100.00", "100.00", "900.00"):
        doc = declaration(db, firms, "1000.00")
        res = client.post(
            "/v1/financings", json=application(firms, [doc], amount), headers=firms.banks[0].headers
        )
        ids.append(res.json()["id"])
    _age(db, ids[:2], [1, 2])  # two months of history: fewer than min_months (3)
    assert sweep(db) == []
    _set(db, AlertKind.MONTHLY_VOLUME, "440000", enabled=True, min_months=2)
    assert len(sweep(db)) == 1


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize(
    ("kind", "trade_class", "amount"),
    [
        (AlertKind.PAYMENT_WITHOUT_DOCUMENTS, "A", "60000.00"),
        (AlertKind.CLASS_NOT_ELIGIBLE, "C", "100.00"),
    ],
)
def test_payment_rules_fire_unless_disabled(
    db: Database, kind: AlertKind, trade_class: str, amount: str, enabled: bool
) -> None:
    from support.payments import make_forwarders, p2_body, submit

    if not enabled:
        _set(db, kind, "440300", enabled=False)
    fw = make_forwarders(db, banks=1, trade_class=trade_class)
    if trade_class == "A":  # a small P2 needs no filing: accepted, quiet
        submit(db, fw.banks[0], p2_body(fw, None, "100.00"))
        assert _alerts(db, fw.payer.org_id) == []
    [refused] = submit(db, fw.banks[0], p2_body(fw, None, amount))
    assert getattr(refused, "status", None) in (403, 422)  # refused either way
    assert len(_alerts(db, fw.payer.org_id, kind)) == (1 if enabled else 0)


def test_the_alerts_page_shows_the_rules_in_force_here(client: TestClient, db: Database) -> None:
    import re

    from support.web import add_user, login

    _set(db, AlertKind.MANY_BANKS, "440300", banks=2)
    for place, scope in (("440300", "440300"), ("440000", "000000")):
        client.cookies.clear()
        regulator = make_party(db, OrgKind.REGULATOR, jurisdiction=place)
        login(client, add_user(db, regulator.org_id))
        page = client.get("/alerts").text
        row = re.search(r'data-test="rule-document-tried-at-many-banks">(.*?)</tr>', page, re.S)
        assert row is not None and f">{scope}<" in row.group(1), place
        assert ("banks = 2" in row.group(1)) == (scope == "440300")
