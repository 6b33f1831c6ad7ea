"""Payments are provable from the log: the audit recomputes every payment's commitment."""

from __future__ import annotations

from sqlalchemy import update

from crossfin.assembly import state_views
from crossfin.documents.state import state_views as documents_views
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.uow import UnitOfWork
from crossfin.payments import state as payments_state
from crossfin.payments import transitions
from crossfin.payments.models import Payment, PaymentUse
from support.payments import caller_of, freight_invoice, make_forwarders, payment_body, submit


def _views() -> StateViews:
    balances = [v for v in documents_views() if v.kind == "balance"]
    return StateViews([*payments_state.state_views(), *balances])


def test_the_cli_audits_payments() -> None:
    assert "payment" in {v.kind for v in state_views()}


def test_every_payment_row_is_committed_and_a_change_is_named(db) -> None:  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    docs = [freight_invoice(db, fw) for _ in range(3)]
    outcomes = submit(db, fw.banks[0], *(payment_body(fw, [d]) for d in docs))
    ids = [o.payment.id for o in outcomes]
    checker = caller_of(db, fw.checkers[0])
    with UnitOfWork(db, checker.actor) as uow:
        transitions.approve(uow, checker, ids[0])
        uow.commit()
    maker = caller_of(db, fw.banks[0])
    with UnitOfWork(db, maker.actor) as uow:
        transitions.cancel(uow, maker, ids[1], "withdrawn")
        uow.commit()
    report = audit_state_database(db, _views())
    assert report.ok, report.as_dict()
    assert report.tables["payments"] == 3
    with db.session() as session, session.begin():
        session.execute(update(Payment).where(Payment.id == ids[2]).values(amount_minor=1))
    assert [(d.table, d.row_id) for d in audit_state_database(db, _views()).divergent] == [
        ("payments", ids[2])
    ]
    with db.session() as session, session.begin():
        session.execute(update(Payment).where(Payment.id == ids[2]).values(amount_minor=100000))
        session.execute(
            update(PaymentUse).where(PaymentUse.payment_id == ids[0]).values(active=False)
        )
    assert [(d.table, d.row_id) for d in audit_state_database(db, _views()).divergent] == [
        ("payments", ids[0])
    ]
