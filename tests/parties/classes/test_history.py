"""Class history: the rules of a change, its event, the class as of a date, the gates."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crossfin.core.canonical import content_digest
from crossfin.core.db import Database
from crossfin.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from crossfin.financing import registration
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.service import Registered
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.classes.history import (
    EPOCH,
    ClassBook,
    class_commitment,
    class_on,
    class_state,
    history_of,
)
from crossfin.parties.classes.models import EnterpriseClass
from crossfin.parties.classes.service import ClassChange, classify
from crossfin.parties.gates import ClassNotEligible
from crossfin.parties.models import Organization, OrgKind, Role
from crossfin.payments.service import Submitted
from support.classes import TODAY
from support.financing import application, declaration, make_firms
from support.parties import Party, make_party
from support.payments import (
    caller_of,
    freight_invoice,
    make_forwarders,
    payment_body,
    submit,
)


def change(
    db: Database, who: Party, org_id: int, klass: str, on: date | None = None, **more: str
) -> EnterpriseClass:
    caller = caller_of(db, who)
    reason = more.pop("reason", f"test {klass} {on}")
    with UnitOfWork(db, caller.actor) as uow:
        row, _ = classify(uow, caller, org_id, ClassChange(klass, reason, on, **more))
        uow.commit()
    return row


def test_onboarding_starts_the_history_and_a_change_is_an_event(db: Database) -> None:
    fw = make_forwarders(db, banks=0)
    with db.session(readonly=True) as session:
        [first] = history_of(session, fw.payer.org_id)
    assert (first.trade_class, first.effective_from, first.source) == ("A", EPOCH, "onboarding")
    row = change(db, fw.regulator, fw.payer.org_id, "B", TODAY, period="2025")
    with db.session(readonly=True) as session:
        rows = history_of(session, fw.payer.org_id)
        assert [r.trade_class for r in rows] == ["B", "A"]
        assert session.get_one(Organization, fw.payer.org_id).trade_class == "B"
        event = session.scalars(
            select(LedgerEvent).where(LedgerEvent.event_id == row.event_id)
        ).one()
    assert event.type == "parties:org:class-change"
    record = json.loads(event.record)
    assert record["subjects"] == {"org": fw.payer.org_id, "enterprise_class": row.id}
    # The record commits to the whole row: its content (rebuilt here from the table) and
    # its state (what the audit recomputes).
    content = class_state(rows[0]) | {"id": row.id, "previous": "A", "change": "change"}
    assert record["digest"] == content_digest(content | {"uscc": fw.uscc})
    assert record["state"] == class_commitment(rows[0])
    assert rows[0].period_start == date(2025, 1, 1) and rows[0].period_end == date(2025, 12, 31)
    assert rows[0].decided_by_org_id == fw.regulator.org_id


def test_the_rules_of_a_change(db: Database) -> None:
    fw = make_forwarders(db, banks=0)
    org = fw.payer.org_id
    bad = [
        (ClassChange("D", "x"), "trade_class"),
        (ClassChange("B", "  "), "reason"),
        (ClassChange("B", "x", "2026-13-01"), "effective_from"),
        (ClassChange("B", "x", TODAY - timedelta(days=800)), "effective_from"),
        (ClassChange("B", "x", TODAY + timedelta(days=400)), "effective_from"),
        (ClassChange("B", "x", TODAY, "20x5"), "period"),
        (ClassChange("B", "x", TODAY, "2025-12-31/2025-01-01"), "period"),
        (ClassChange("B", "x", date(TODAY.year - 1, 6, 1), str(TODAY.year)), "period"),
    ]
    caller = caller_of(db, fw.regulator)
    for wanted, field in bad:
        with pytest.raises(ValidationFailed) as refused, UnitOfWork(db, caller.actor) as uow:
            classify(uow, caller, org, wanted)
        assert [e.field for e in refused.value.errors] == [field], wanted
    change(db, fw.regulator, org, "B", TODAY - timedelta(days=10), reason="late receipts")
    # The history only moves forward: nothing before the newest change.
    with pytest.raises(ValidationFailed) as earlier, UnitOfWork(db, caller.actor) as uow:
        classify(uow, caller, org, ClassChange("C", "x", TODAY - timedelta(days=11)))
    assert "only moves forward" in earlier.value.errors[0].reason
    # The same class again for the same reason and date: a repeat (409); a new
    # evaluation confirming it: a renewal.
    with pytest.raises(Conflict), UnitOfWork(db, caller.actor) as uow:
        classify(uow, caller, org, ClassChange("B", "late receipts", TODAY - timedelta(days=10)))
    change(db, fw.regulator, org, "B", TODAY, reason="2026 evaluation", period="2025")
    with db.session(readonly=True) as session:
        assert [r.trade_class for r in history_of(session, org)] == ["B", "B", "A"]


def test_who_may_classify(db: Database) -> None:
    fw = make_forwarders(db, banks=1)
    org = fw.payer.org_id
    far = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="310000")
    for who, refusal in (
        (fw.payer, Forbidden),  # an enterprise cannot classify itself
        (fw.banks[0], NotFound),  # a bank may not even read it
        (far, NotFound),  # another province: the firm does not exist for it
        (make_party(db, OrgKind.OPERATOR, Role.ADMIN), Forbidden),  # not a regulator
    ):
        with pytest.raises(refusal):
            change(db, who, org, "C")
    bank = fw.banks[0]
    with pytest.raises(Forbidden):  # a regulator classifies enterprises only
        change(
            db,
            make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000"),
            bank.org_id,
            "C",
        )
    with db.session(readonly=True) as session:
        assert len(history_of(session, org)) == 1
        assert session.get_one(Organization, org).trade_class == "A"


def test_the_class_on_a_day(db: Database) -> None:
    fw = make_forwarders(db, banks=0)
    org = fw.payer.org_id
    d = TODAY - timedelta(days=20)
    change(db, fw.regulator, org, "B", d)
    change(db, fw.regulator, org, "C", d, reason="same-day correction")
    future = change(db, fw.regulator, org, "A", TODAY + timedelta(days=30))
    with db.session(readonly=True) as session:
        book = ClassBook.load(session, [org, 999_999])
        for day, klass in (
            (d - timedelta(days=1), "A"),
            (d, "C"),  # the same day's later row wins
            (TODAY, "C"),
            (TODAY + timedelta(days=29), "C"),
            (TODAY + timedelta(days=30), "A"),
        ):
            assert class_on(session, org, day) == klass == book.on(org, day), day
        assert book.on(999_999, TODAY) == "A"
        # The cache keeps the class in force today: a future change waits for its date.
        assert session.get_one(Organization, org).trade_class == "C"
    assert future.effective_from > TODAY


def test_payment_gates_read_the_class_on_the_value_date(db: Database) -> None:
    fw = make_forwarders(db, banks=1)
    d = TODAY - timedelta(days=3)
    change(db, fw.regulator, fw.payer.org_id, "C", d)
    bank = fw.banks[0]
    before = submit(
        db, bank, payment_body(fw, [freight_invoice(db, fw)], value_date=str(d - timedelta(days=1)))
    )[0]
    assert isinstance(before, Submitted) and before.payment.trade_class == "A"
    on = submit(db, bank, payment_body(fw, [freight_invoice(db, fw)], value_date=str(d)))[0]
    assert isinstance(on, ClassNotEligible) and on.extra["trade_class"] == "C"
    # A change dated ahead leaves today's payments alone.
    change(db, fw.regulator, fw.payer.org_id, "A", TODAY, reason="appeal granted")
    change(db, fw.regulator, fw.payer.org_id, "C", TODAY + timedelta(days=10), reason="next")
    today = submit(db, bank, payment_body(fw, [freight_invoice(db, fw)]))[0]
    assert isinstance(today, Submitted) and today.payment.trade_class == "A"
    later = submit(
        db,
        bank,
        payment_body(fw, [freight_invoice(db, fw)], value_date=str(TODAY + timedelta(days=10))),
    )[0]
    assert isinstance(later, ClassNotEligible)


def test_financing_gates_read_the_class_on_the_business_date(db: Database) -> None:
    firms = make_firms(db, banks=1)
    regulator = make_party(db, OrgKind.REGULATOR, Role.APPROVER, jurisdiction="440300")
    change(db, regulator, firms.enterprise.org_id, "C", TODAY + timedelta(days=1))
    caller = caller_of(db, firms.banks[0])

    def register() -> object:
        doc = declaration(db, firms, "1000.00")
        data = FinancingIn.model_validate(application(firms, [doc], "100.00"))
        [outcome] = registration.register_applications(
            Transactions.own(db, caller.actor), [registration.Application(caller, data)], 72
        )
        return outcome

    assert isinstance(register(), Registered)  # C only from tomorrow
    change(db, regulator, firms.enterprise.org_id, "C", TODAY + timedelta(days=1), reason="r2")
    change(db, regulator, firms.enterprise.org_id, "C", TODAY + timedelta(days=2), reason="r3")
    assert isinstance(register(), Registered)
    other = make_firms(db, banks=0)
    change(db, regulator, other.enterprise.org_id, "C", TODAY)
    firms.enterprise, firms.uscc = other.enterprise, other.uscc
    assert isinstance(register(), ClassNotEligible)


def test_two_regulators_at_once_lose_nothing(db: Database) -> None:
    fw = make_forwarders(db, banks=0)
    second = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="440300")
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def run(who: Party, klass: str) -> None:
        start.wait()
        try:
            outcomes.append(change(db, who, fw.payer.org_id, klass, TODAY, reason=f"by {klass}"))
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(exc)

    threads = [
        threading.Thread(target=run, args=(fw.regulator, "B")),
        threading.Thread(target=run, args=(second, "C")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(o, EnterpriseClass) for o in outcomes), outcomes
    with db.session(readonly=True) as session:
        rows = history_of(session, fw.payer.org_id)
        cached = session.get_one(Organization, fw.payer.org_id).trade_class
        events = session.scalars(
            select(LedgerEvent.event_id).where(LedgerEvent.type == "parties:org:class-change")
        ).all()
    assert len(rows) == 3 and len(events) == 2
    # The cache is the class of the row that came last, the one in force today.
    assert cached == rows[0].trade_class == class_on_today(db, fw.payer.org_id)


def class_on_today(db: Database, org_id: int) -> str:
    with db.session(readonly=True) as session:
        return class_on(session, org_id, TODAY)
