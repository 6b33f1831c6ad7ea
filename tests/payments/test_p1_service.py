"""P1 through the one submission function: class A only, a named source of funds, VAT
invoices of any category used cumulatively (in parts, never beyond their amount)."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from crossfin.core.errors import Forbidden, ValidationFailed
from crossfin.ledger.uow import UnitOfWork
from crossfin.payments import transitions
from crossfin.payments.errors import AlreadyUsed
from crossfin.payments.p1_models import P1Funding
from crossfin.payments.service import Submitted
from support.financing import balance_row
from support.financing_storm import http_storm, live_server
from support.payments import caller_of, freight_invoice, make_forwarders, payment_body, submit
from support.stats import assert_stats_match_recount


def p1(fw, docs, amount="100.00", source="capital", **extra):  # type: ignore[no-untyped-def]
    body = payment_body(fw, docs, amount, scenario="P1", **extra)
    if source is not None:
        body["source_of_funds"] = source
    return body


def test_p1_uses_invoices_cumulatively_never_beyond(db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=2)
    doc = freight_invoice(db, fw, category="goods")  # 8480.00 CNY
    [first] = submit(db, fw.banks[0], p1(fw, [doc], "1000.00"))  # 7100.00 CNY
    assert isinstance(first, Submitted), first
    assert balance_row(db, doc) == (710000, 0)
    [second] = submit(db, fw.banks[1], p1(fw, [doc], "100.00", source="foreign_debt"))
    assert isinstance(second, Submitted), second
    assert balance_row(db, doc) == (781000, 0)
    [third] = submit(db, fw.banks[0], p1(fw, [doc], "100.00"))  # 710 > 670 left
    assert isinstance(third, AlreadyUsed)
    assert balance_row(db, doc) == (781000, 0)
    with db.session(readonly=True) as session:
        rows = {f.payment_id: f.source_of_funds for f in session.scalars(select(P1Funding))}
    assert rows == {first.payment_id: "capital", second.payment_id: "foreign_debt"}


def test_p1_takes_invoices_in_order_up_to_what_is_left(db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    a = freight_invoice(db, fw, category="goods")
    b = freight_invoice(db, fw, category="service")
    c = freight_invoice(db, fw, category="goods")
    [one] = submit(db, fw.banks[0], p1(fw, [a], "1000.00"))  # 7100 of a's 8480
    assert isinstance(one, Submitted)
    [two] = submit(db, fw.banks[0], p1(fw, [a, b, c], "1000.00", source="listing_proceeds"))
    assert isinstance(two, Submitted), two
    used = {u["document_id"]: u["used_minor"] for u in two.uses}
    assert used == {a.id: 138000, b.id: 710000 - 138000}  # c not reached, not used
    assert balance_row(db, a) == (848000, 0) and balance_row(db, c) == (0, 0)
    # Cancel gives back exactly what it took.
    caller = caller_of(db, fw.banks[0])
    with UnitOfWork(db, caller.actor) as uow:
        transitions.cancel(uow, caller, two.payment_id, "wrong payee")
        uow.commit()
    assert balance_row(db, a) == (710000, 0) and balance_row(db, b) == (0, 0)


def test_p1_requires_a_source_of_funds_and_p3_takes_none(db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw, category="goods")
    [out] = submit(db, fw.banks[0], p1(fw, [doc], source=None))
    assert isinstance(out, ValidationFailed)
    assert [e.field for e in out.errors] == ["source_of_funds"]
    with pytest.raises(Exception):  # noqa: B017  (pydantic: not one of the three)
        submit(db, fw.banks[0], p1(fw, [doc], source="savings"))
    body = payment_body(fw, [freight_invoice(db, fw)]) | {"source_of_funds": "capital"}
    [p3] = submit(db, fw.banks[0], body)
    assert isinstance(p3, ValidationFailed)
    assert balance_row(db, doc) == (0, 0)


def test_p1_proves_the_invoice_and_the_payer_is_its_buyer(db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw, category="goods")
    bad = {
        "kind": "vat_invoice",
        "key": doc.key,
        "fields": {"amount": "1.00", "tax_amount": "480.00"},
    }
    [out] = submit(db, fw.banks[0], p1(fw, [doc], claims=[bad]))
    assert isinstance(out, ValidationFailed)
    someone = make_forwarders(db, banks=0).uscc
    other = freight_invoice(db, fw, category="goods", buyer=someone)
    [out] = submit(db, fw.banks[0], p1(fw, [other]))
    assert isinstance(out, ValidationFailed)
    assert "not the buyer" in str(out.errors[0])


@pytest.mark.parametrize("klass", ["B", "C"])
def test_p1_is_class_a_only(db, klass):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1, trade_class=klass)
    doc = freight_invoice(db, fw, category="goods")
    [out] = submit(db, fw.banks[0], p1(fw, [doc]))
    assert isinstance(out, Forbidden) and out.slug == "class-not-eligible"
    assert balance_row(db, doc) == (0, 0)


def test_p1_http_storm_partial_uses_never_exceed(app, db):  # type: ignore[no-untyped-def]
    """5 banks race partial P1 uses of the same invoices: the sum never passes them."""
    fw = make_forwarders(db, banks=5)
    docs = [freight_invoice(db, fw, category="goods") for _ in range(3)]  # 8480.00 each
    # 300 USD = 2130 CNY: three fit on one invoice (6390), a fourth does not (8520).
    plan = [
        (bank.headers, p1(fw, [doc], "300.00", ref=f"P1-{i}-{j}"))
        for i, bank in enumerate(fw.banks)
        for j, doc in enumerate(docs)
    ]
    with live_server(app) as base:
        outcomes = http_storm(base, plan, path="/v1/payments")
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {201: 9, 409: 6}, statuses
    for doc in docs:
        assert balance_row(db, doc) == (3 * 213000, 0)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_the_source_of_funds_is_committed(db):  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from crossfin.ledger.state import StateViews
    from crossfin.ledger.state_audit import audit_state_database
    from crossfin.payments import state

    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw, category="goods")
    [done] = submit(db, fw.banks[0], p1(fw, [doc], source="listing_proceeds"))
    views = StateViews(state.state_views())
    assert audit_state_database(db, views).ok
    with db.session() as session, session.begin():
        session.execute(update(P1Funding).values(source_of_funds="capital"))
    divergent = audit_state_database(db, views).divergent
    assert [(d.table, d.row_id) for d in divergent] == [("p1_fundings", done.payment_id)]
