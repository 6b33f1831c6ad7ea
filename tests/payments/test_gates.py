"""Class gates: one table of scenario x class x answer, for payments and financing alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crossfin.core.errors import Forbidden, ValidationFailed
from crossfin.financing import registration
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.service import Registered
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert
from crossfin.parties.gates import (
    CLASSES,
    DEFAULTS,
    SCENARIOS,
    ClassNotEligible,
    GateChange,
    Treatment,
    current_table,
    set_gates,
)
from crossfin.parties.models import OrgKind, Role
from crossfin.payments.service import Submitted
from support.financing import application, declaration, make_firms
from support.gates import EXPECTED, C, F, R
from support.parties import TEST_ACTOR, make_party
from support.payments import (
    SELLER,
    caller_of,
    claim,
    freight_invoice,
    make_forwarders,
    payment_body,
    set_class,
    submit,
)


def test_the_expectations_cover_every_scenario_and_class() -> None:
    assert set(EXPECTED) == {(s, c) for s in SCENARIOS for c in CLASSES}
    assert set(DEFAULTS) == set(SCENARIOS)


@pytest.mark.parametrize(("scenario", "klass"), sorted(EXPECTED))
def test_default_table(db, scenario: str, klass: str) -> None:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        table = current_table(session)
    assert table.version == 0
    assert table.treatment(scenario, klass) is EXPECTED[(scenario, klass)]


@pytest.mark.parametrize("klass", ["A", "B", "C"])
def test_p3_by_class(db, klass: str) -> None:  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1, trade_class=klass)
    doc = freight_invoice(db, fw)
    every = {"seller_uscc": SELLER, "buyer_uscc": fw.uscc, "currency": "CNY"}
    full = claim(doc, issue_date="2026-11-20", category="freight", **every)
    bulk = submit(db, fw.banks[0], payment_body(fw, [doc]), bulk=True)[0]
    single = submit(db, fw.banks[0], payment_body(fw, [doc], claims=[claim(doc)]))[0]
    with_full = submit(db, fw.banks[0], payment_body(fw, [doc], claims=[full]))[0]
    if EXPECTED[("P3", klass)] is F:
        assert isinstance(bulk, Submitted)
    elif EXPECTED[("P3", klass)] is C:
        # No bulk auto-tag, full documents, then the approver's manual approval.
        assert isinstance(bulk, Forbidden) and bulk.extra["trade_class"] == "B"
        assert isinstance(single, ValidationFailed) and "full documents" in single.detail
        assert isinstance(with_full, Submitted) and with_full.payment.treatment == "checked"
    else:
        for refused in (bulk, single, with_full):
            assert isinstance(refused, ClassNotEligible)
            problem = refused.problem()
            assert problem["status"] == 403
            assert problem["type"].endswith("/class-not-eligible")
            assert problem["trade_class"] == "C" and "P3 x C = refused" in problem["rule"]
        with db.session(readonly=True) as session:
            kinds = session.scalars(select(Alert.kind)).all()
        assert kinds.count("class-not-eligible") == 3


@pytest.mark.parametrize("klass", ["A", "B", "C"])
def test_f1_by_class(db, klass: str) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db, banks=1)
    fw = make_forwarders(db, banks=0)
    fw.payer.org_id, fw.uscc = firms.enterprise.org_id, firms.uscc
    if klass != "A":
        set_class(db, fw, klass)
    doc = declaration(db, firms, "1000.00")
    caller = caller_of(db, firms.banks[0])
    data = FinancingIn.model_validate(application(firms, [doc], "100.00"))
    [outcome] = registration.register_applications(
        Transactions.own(db, caller.actor), [registration.Application(caller, data)], 72
    )
    if EXPECTED[("F1", klass)] is R:
        assert isinstance(outcome, ClassNotEligible), outcome
        with db.session(readonly=True) as session:
            assert session.scalars(select(Alert.kind)).all() == ["class-not-eligible"]
    else:
        assert isinstance(outcome, Registered), outcome


def test_a_class_c_f1_answers_403_over_http(client, db) -> None:  # type: ignore[no-untyped-def]
    firms = make_firms(db, banks=1)
    fw = make_forwarders(db, banks=0)
    fw.payer.org_id, fw.uscc = firms.enterprise.org_id, firms.uscc
    set_class(db, fw, "C")
    doc = declaration(db, firms, "1000.00")
    res = client.post(
        "/v1/financings", json=application(firms, [doc], "100.00"), headers=firms.banks[0].headers
    )
    assert res.status_code == 403, res.text
    assert res.json()["type"].endswith("/class-not-eligible")
    assert res.json()["trade_class"] == "C"


def test_a_change_is_a_new_version_and_an_event(db) -> None:  # type: ignore[no-untyped-def]
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    branch = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="440000")
    fw = make_forwarders(db, banks=1, trade_class="B")
    change = [GateChange("P3", "B", Treatment.REFUSED)]
    with pytest.raises(Forbidden), UnitOfWork(db, caller_of(db, branch).actor) as uow:
        set_gates(uow, caller_of(db, branch), change, "pilot")
    caller = caller_of(db, head)
    with UnitOfWork(db, caller.actor) as uow:
        table, _ = set_gates(uow, caller, change, "freight pilot: class A only")
        uow.commit()
    assert table.version == 1 and table.treatment("P3", "B") is Treatment.REFUSED
    assert table.treatment("P2", "B") is Treatment.CHECKED
    with db.session(readonly=True) as session:
        assert current_table(session).version == 1
        types = session.scalars(select(LedgerEvent.type)).all()
    assert "parties:class-gates:set" in types
    doc = freight_invoice(db, fw)
    [out] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    assert isinstance(out, ClassNotEligible) and "v1" in out.extra["rule"]


def test_two_changes_of_one_version_conflict(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from crossfin.core.errors import Conflict
    from crossfin.parties import gates

    change = [GateChange("P3", "B", Treatment.REFUSED)]
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_gates(uow, None, change, "one")
        uow.commit()
    # A second change that read the table before the first committed asks for version 1
    # too: 409, never a unique violation's 500.
    monkeypatch.setattr(gates, "current_table", lambda session: gates.GateTable(0, DEFAULTS))
    with UnitOfWork(db, TEST_ACTOR) as uow, pytest.raises(Conflict):
        set_gates(uow, None, change, "two")
