"""The lifecycle: every transition, illegal ones, maker-checker, expiry, overdue, repayment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.financing.sweeps import sweep
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.alerts import Alert
from crossfin.parties.models import Role
from support.financing import application, balance_row, declaration, make_firms, today
from support.parties import another_principal


def register(client, firms, docs, amount, bank=0, **extra):
    res = client.post(
        "/v1/financings",
        json=application(firms, docs, amount, **extra),
        headers=firms.banks[bank].headers,
    )
    assert res.status_code == 201, res.text
    return res.json()


def act(client, party, fid, action, body=None, expect=200):
    res = client.post(f"/v1/financings/{fid}/{action}", json=body or {}, headers=party.headers)
    assert res.status_code == expect, res.text
    return res.json()


def events(db, fid):
    with db.session(readonly=True) as session:
        rows = session.scalars(
            select(LedgerEvent.type)
            .where(LedgerEvent.type.like("financing:financing:%"))
            .order_by(LedgerEvent.leaf_index)
        )
        return [r.split(":")[-1] for r in rows]


def test_full_lifecycle_with_pro_rata_release(client, db):
    firms = make_firms(db)
    a, b = declaration(db, firms, "300.00"), declaration(db, firms, "100.00")
    fin = register(client, firms, [a, b], "200.00")
    checker = firms.checkers[0]
    assert act(client, checker, fin["id"], "approve")["state"] == "approved"
    due = (today() + timedelta(days=90)).isoformat()
    out = act(client, firms.banks[0], fin["id"], "disburse", {"due_date": due})
    assert out["state"] == "disbursed" and out["outstanding"] == "200.00"
    out = act(client, firms.banks[0], fin["id"], "repay", {"amount": "50.01"})
    assert out["state"] == "partly_repaid" and out["outstanding"] == "149.99"
    # 200 rests as 150 on a and 50 on b; 50.01 repaid releases 37.51 + 12.50 = 50.01.
    assert balance_row(db, a)[0] == 15000 - 3751 and balance_row(db, b)[0] == 5000 - 1250
    out = act(client, firms.banks[0], fin["id"], "repay", {"amount": "149.99"})
    assert out["state"] == "repaid" and out["outstanding"] == "0.00"
    assert balance_row(db, a) == (0, 0) and balance_row(db, b) == (0, 0)
    assert all(not d["active"] for d in out["documents"])
    assert act(client, firms.banks[0], fin["id"], "close")["state"] == "closed"
    assert events(db, fin["id"]) == ["register", "approve", "disburse", "repay", "repay", "close"]


def test_maker_checker(client, db):
    firms = make_firms(db)
    fin = register(client, firms, [declaration(db, firms)], "10.00")
    # The maker itself, even with a second key, cannot approve; nor an operator.
    act(client, firms.banks[0], fin["id"], "approve", expect=403)
    maker_is_approver = another_principal(db, firms.banks[0].org_id, Role.APPROVER)
    fin2_body = application(firms, [declaration(db, firms)], "10.00")
    res = client.post("/v1/financings", json=fin2_body, headers=maker_is_approver.headers)
    assert res.status_code == 403  # approvers are checkers, not makers
    other_bank_checker = firms.checkers[1]
    act(client, other_bank_checker, fin["id"], "approve", expect=404)
    res = act(client, firms.checkers[0], fin["id"], "approve")
    assert res["approver_principal_id"] == firms.checkers[0].principal_id
    assert res["maker_principal_id"] == firms.banks[0].principal_id


def test_same_principal_cannot_make_and_check(client, db):
    firms = make_firms(db)
    admin = another_principal(db, firms.banks[0].org_id, Role.ADMIN)
    fin = register_as(client, admin, firms, "10.00", db)
    # An admin may register but is not a checker: the approver role is required.
    act(client, admin, fin["id"], "approve", expect=403)
    problem = client.post(
        f"/v1/financings/{fin['id']}/approve", json={}, headers=admin.headers
    ).json()
    assert problem["type"].endswith("/forbidden")


def register_as(client, party, firms, amount, db):
    res = client.post(
        "/v1/financings",
        json=application(firms, [declaration(db, firms)], amount),
        headers=party.headers,
    )
    assert res.status_code == 201, res.text
    return res.json()


@pytest.mark.parametrize(
    "action,body",
    [
        ("disburse", {"due_date": "2099-01-01"}),
        ("repay", {"amount": "1.00"}),
        ("close", {}),
    ],
)
def test_illegal_transitions_from_registered(client, db, action, body):
    firms = make_firms(db)
    fin = register(client, firms, [declaration(db, firms)], "10.00")
    res = client.post(
        f"/v1/financings/{fin['id']}/{action}", json=body, headers=firms.banks[0].headers
    )
    assert res.status_code == 409
    problem = res.json()
    assert problem["type"].endswith("/illegal-transition")
    assert problem["state"] == "registered" and "registered" in problem["detail"]


def test_reject_cancel_release_and_are_final(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    one = register(client, firms, [doc], "60.00")
    act(client, firms.checkers[0], one["id"], "reject", {"reason": "no"})
    assert balance_row(db, doc) == (0, 0)
    act(client, firms.checkers[0], one["id"], "approve", expect=409)
    two = register(client, firms, [doc], "100.00")
    act(client, firms.checkers[0], two["id"], "approve")
    act(client, firms.banks[0], two["id"], "cancel", {"reason": "client withdrew"})
    assert balance_row(db, doc) == (0, 0)
    act(client, firms.banks[0], two["id"], "disburse", {"due_date": "2099-01-01"}, expect=409)
    three = register(client, firms, [doc], "100.00")
    act(client, firms.checkers[0], three["id"], "approve")
    act(client, firms.banks[0], three["id"], "disburse", {"due_date": "2099-01-01"})
    act(client, firms.banks[0], three["id"], "cancel", {"reason": "late"}, expect=409)
    act(client, firms.banks[0], three["id"], "repay", {"amount": "100.01"}, expect=422)


def test_reservation_expires_unless_approved(client, db, settings):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    lapsing = register(client, firms, [doc], "40.00")
    kept = register(client, firms, [doc], "60.00", bank=1)
    act(client, firms.checkers[1], kept["id"], "approve")
    assert sweep(db).expired == []  # not yet
    result = sweep(db, now=utcnow() + timedelta(hours=settings.reservation_hours, minutes=1))
    assert result.expired == [lapsing["id"]]
    assert balance_row(db, doc) == (6000, 0)
    out = client.get(f"/v1/financings/{lapsing['id']}", headers=firms.banks[0].headers).json()
    assert out["state"] == "expired"
    act(client, firms.checkers[0], lapsing["id"], "approve", expect=409)
    assert sweep(db, now=utcnow() + timedelta(days=30)).expired == []


def test_overdue_flag_alert_and_history(client, db):
    firms = make_firms(db)
    fin = register(client, firms, [declaration(db, firms)], "10.00")
    act(client, firms.checkers[0], fin["id"], "approve")
    due = today() + timedelta(days=10)
    act(client, firms.banks[0], fin["id"], "disburse", {"due_date": due.isoformat()})
    assert sweep(db, now=utcnow() + timedelta(days=5)).overdue == []
    later = utcnow() + timedelta(days=12)
    assert sweep(db, now=later).overdue == [fin["id"]]
    assert sweep(db, now=later).overdue == []
    out = client.get(f"/v1/financings/{fin['id']}", headers=firms.enterprise.headers).json()
    assert out["overdue"] is True and out["overdue_since"] is not None
    with db.session(readonly=True) as session:
        assert [a.kind for a in session.scalars(select(Alert))] == ["overdue"]
    out = act(client, firms.banks[0], fin["id"], "repay", {"amount": "10.00"})
    assert out["state"] == "repaid" and out["overdue"] is False
    assert out["overdue_since"] is not None


ALLOWED = {
    "approve": {"registered"},
    "reject": {"registered"},
    "cancel": {"registered", "approved"},
    "expire": {"registered"},
    "disburse": {"approved"},
    "repay": {"disbursed", "partly_repaid"},
    "close": {"repaid"},
    "mark_overdue": {"disbursed", "partly_repaid"},
}


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_state_machine_table(action):
    from crossfin.core.errors import IllegalTransition
    from crossfin.financing.lifecycle import Action, State, rule_for

    for state in State:
        if state.value in ALLOWED[action]:
            rule_for(Action(action), state.value)
        else:
            with pytest.raises(IllegalTransition) as caught:
                rule_for(Action(action), state.value)
            assert caught.value.extra["state"] == state.value
