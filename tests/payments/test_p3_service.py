"""P3 through the one submission function: tagging, single use, lifecycle, releases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crossfin.core.errors import (
    AlreadyExists,
    Forbidden,
    IllegalTransition,
    MakerChecker,
    ValidationFailed,
)
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert
from crossfin.payments import transitions
from crossfin.payments.errors import AlreadyUsed
from crossfin.payments.models import Payment
from crossfin.payments.service import Submitted
from support.financing import balance_row
from support.payments import (
    caller_of,
    claim,
    freight_invoice,
    make_forwarders,
    payment_body,
    submit,
)


def act(db, party, fn, *args):  # type: ignore[no-untyped-def]
    caller = caller_of(db, party)
    with UnitOfWork(db, caller.actor) as uow:
        result = fn(uow, caller, *args)
        uow.commit()
    return result


def alerts(db, kind):  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        return list(session.scalars(select(Alert).where(Alert.kind == kind)))


def test_a_freight_invoice_is_tagged_whole_and_once(db):
    fw = make_forwarders(db, banks=2)
    doc = freight_invoice(db, fw)
    [done] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    assert isinstance(done, Submitted), done
    assert balance_row(db, doc) == (doc.value_minor, 0)
    assert done.payment.usd_minor == 100000 and done.payment.state == "submitted"
    [again] = submit(db, fw.banks[1], payment_body(fw, [doc]))
    assert isinstance(again, AlreadyUsed)
    problem = again.problem()
    assert problem["type"].endswith("/already-used")
    assert problem["document"] == {"kind": "vat_invoice", "key": doc.key}
    # Who holds it is never said: the problem carries the invoice and nothing else.
    assert set(problem) == {"type", "title", "status", "detail", "document", "documents"}
    assert balance_row(db, doc) == (doc.value_minor, 0)
    [alert] = alerts(db, "invoice-already-used")
    assert alert.actor_org_id == fw.banks[1].org_id and alert.document_id == doc.id


def test_the_same_bank_trying_again_is_refused_without_an_alert(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    submit(db, fw.banks[0], payment_body(fw, [doc]))
    [again] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    assert isinstance(again, AlreadyUsed)
    assert alerts(db, "invoice-already-used") == []


def test_the_claim_must_prove_the_invoice(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    wrong = payment_body(fw, [doc], claims=[claim(doc, amount="8000.01")])
    bare = payment_body(fw, [doc], claims=[{"kind": "vat_invoice", "key": doc.key}])
    goods = freight_invoice(db, fw, category="goods")
    other = freight_invoice(db, fw, buyer=make_forwarders(db, banks=0).uscc)
    outcomes = submit(
        db, fw.banks[0], wrong, bare, payment_body(fw, [goods]), payment_body(fw, [other])
    )
    reasons = [o.errors[0].reason for o in outcomes if isinstance(o, ValidationFailed)]
    assert len(reasons) == 4, outcomes
    assert "amount" in reasons[0] and "must name" in reasons[1]
    assert "not a freight invoice" in reasons[2] and "not the buyer" in reasons[3]
    assert balance_row(db, doc) == (0, 0)


def test_the_payment_is_at_most_what_the_invoices_carry(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)  # 8,480.00 CNY = 1,194.36 USD at 7.10
    [over] = submit(db, fw.banks[0], payment_body(fw, [doc], "1194.37"))
    assert isinstance(over, ValidationFailed) and over.errors[0].field == "amount"
    [fits] = submit(db, fw.banks[0], payment_body(fw, [doc], "1194.36"))
    assert isinstance(fits, Submitted)


def test_payee_is_validated(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    bad = payment_body(fw, [doc])
    bad["payee"] = {"name": "X", "country": "QQ", "account": "DK5000400440116244", "bic": "DABA"}
    [out] = submit(db, fw.banks[0], bad)
    assert isinstance(out, ValidationFailed)
    assert {e.field for e in out.errors} == {"payee.country", "payee.account", "payee.bic"}


def test_lifecycle_maker_checker_pay_and_return_releases(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    [done] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    pid = done.payment.id
    with pytest.raises(Forbidden):  # the maker has no approver role
        act(db, fw.banks[0], transitions.approve, pid)
    act(db, fw.checkers[0], transitions.approve, pid)
    with pytest.raises(IllegalTransition):
        act(db, fw.checkers[0], transitions.approve, pid)
    act(db, fw.banks[0], transitions.pay, pid)
    assert balance_row(db, doc) == (doc.value_minor, 0)
    payment, _ = act(db, fw.banks[0], transitions.return_payment, pid, "payee bank closed")
    assert payment.state == "returned"
    assert balance_row(db, doc) == (0, 0)
    # The freed invoice can back another payment.
    [second] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    assert isinstance(second, Submitted)


def test_the_maker_cannot_approve_even_as_approver(db):
    from crossfin.parties.models import Role
    from support.parties import another_principal

    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    checker = fw.checkers[0]
    [done] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    # Pretend the maker's principal is the checker's: same principal cannot approve.
    with db.session() as session, session.begin():
        session.get(Payment, done.payment.id).maker_principal_id = checker.principal_id
    with pytest.raises(MakerChecker):
        act(db, checker, transitions.approve, done.payment.id)
    assert another_principal(db, fw.banks[0].org_id, Role.APPROVER)


def test_cancel_releases_and_another_bank_cannot_act(db):
    fw = make_forwarders(db, banks=2)
    doc = freight_invoice(db, fw)
    [done] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    from crossfin.core.errors import NotFound

    with pytest.raises(NotFound):
        act(db, fw.banks[1], transitions.cancel, done.payment.id, "not ours")
    act(db, fw.banks[0], transitions.cancel, done.payment.id, "customer withdrew")
    assert balance_row(db, doc) == (0, 0)


def test_external_ref_is_unique_per_bank(db):
    fw = make_forwarders(db, banks=2)
    a, b, c = (freight_invoice(db, fw) for _ in range(3))
    submit(db, fw.banks[0], payment_body(fw, [a], ref="R-1"))
    [dup] = submit(db, fw.banks[0], payment_body(fw, [b], ref="R-1"))
    assert isinstance(dup, AlreadyExists)
    [other_bank] = submit(db, fw.banks[1], payment_body(fw, [c], ref="R-1"))
    assert isinstance(other_bank, Submitted)


def test_every_change_is_one_event_committing_to_the_state(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    [done] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    act(db, fw.banks[0], transitions.cancel, done.payment.id, "x")
    with db.session(readonly=True) as session:
        rows = session.scalars(
            select(LedgerEvent.record).where(LedgerEvent.type.like("payments:%"))
        ).all()
    records = [json.loads(r) for r in rows]
    assert [r["type"] for r in records] == ["payments:payment:submit", "payments:payment:cancel"]
    for record in records:
        assert set(record["state"]) == {f"payment:{done.payment.id}", f"balance:{doc.id}"}


def test_a_bank_only_submits_as_a_maker(db):
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    with pytest.raises(Forbidden):
        submit(db, fw.checkers[0], payment_body(fw, [doc]))
    with pytest.raises(Forbidden):
        submit(db, fw.payer, payment_body(fw, [doc]))
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 0


def test_a_p3_payment_names_at_least_one_invoice(db):
    fw = make_forwarders(db, banks=1)
    [out] = submit(db, fw.banks[0], payment_body(fw, [], claims=[]) | {"documents": []})
    assert isinstance(out, ValidationFailed)
    assert out.errors[0].field == "documents" and "P3 takes 1 to 100" in out.errors[0].reason
