"""F7 matchmaking (needs, offers, acceptance into an application) and F2 credit queries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.models import OrgKind, Role
from support.financing import (
    application,
    balance_row,
    declaration,
    make_firms,
    policy,
    today,
)
from support.parties import another_principal, make_party


def publish(client, firms, docs, amount="100000.00"):
    body = {
        "amount": amount,
        "currency": "USD",
        "tenor_days": 90,
        "purpose": "Q1 shipments",
        "documents": [{"kind": d.kind, "key": d.key} for d in docs],
    }
    res = client.post("/v1/needs", json=body, headers=firms.enterprise.headers)
    assert res.status_code == 201, res.text
    return res.json()


def offer(client, bank, need_id, amount="90000.00", rate="4.10", expect=201):
    res = client.post(
        f"/v1/needs/{need_id}/offers",
        json={"amount": amount, "currency": "USD", "rate": rate, "tenor_days": 90},
        headers=bank.headers,
    )
    assert res.status_code == expect, res.text
    return res.json()


def test_need_offers_accept_opens_registered_application(client, db):
    firms = make_firms(db, banks=3)
    far_bank = make_party(db, OrgKind.BANK, Role.OPERATOR, jurisdiction="110000")
    decl = declaration(db, firms, "100000.00")
    need = publish(client, firms, [decl])
    # Banks serving Guangdong (440000) see it; a Beijing bank does not.
    assert [n["id"] for n in client.get("/v1/needs", headers=firms.banks[1].headers).json()] == [
        need["id"]
    ]
    assert client.get("/v1/needs", headers=far_bank.headers).json() == []
    offer(client, far_bank, need["id"], expect=404)
    first = offer(client, firms.banks[0], need["id"], rate="4.50")
    second = offer(client, firms.banks[1], need["id"], rate="3.90")
    offer(client, firms.banks[1], need["id"], expect=409)  # one open offer per bank
    seen = client.get(f"/v1/needs/{need['id']}/offers", headers=firms.enterprise.headers)
    assert [o["id"] for o in seen.json()] == [first["id"], second["id"]]
    own = client.get(f"/v1/needs/{need['id']}/offers", headers=firms.banks[0].headers)
    assert [o["id"] for o in own.json()] == [first["id"]]
    res = client.post(
        f"/v1/offers/{second['id']}/accept", json={}, headers=firms.enterprise.headers
    )
    assert res.status_code == 200, res.text
    financing = res.json()["financing"]
    assert financing["state"] == "registered" and financing["scenario"] == "F1"
    assert financing["bank_org_id"] == firms.banks[1].org_id
    assert financing["amount"] == "90000.00" and financing["rate"] == "3.90"
    assert balance_row(db, decl)[0] == 9_000_000
    offers = client.get(f"/v1/needs/{need['id']}/offers", headers=firms.enterprise.headers)
    assert [o["status"] for o in offers.json()] == ["declined", "accepted"]
    again = client.post(
        f"/v1/offers/{first['id']}/accept", json={}, headers=firms.enterprise.headers
    )
    assert again.status_code == 409
    # The bank's checker approves the application the acceptance opened.
    approved = client.post(
        f"/v1/financings/{financing['id']}/approve", json={}, headers=firms.checkers[1].headers
    )
    assert approved.status_code == 200
    with db.session(readonly=True) as session:
        types = [
            t.split(":", 1)[1]
            for t in session.scalars(
                select(LedgerEvent.type)
                .where(LedgerEvent.type.like("financing:%"))
                .order_by(LedgerEvent.leaf_index)
            )
        ]
    assert types == [
        "need:publish",
        "offer:make",
        "offer:make",
        "financing:register",
        "offer:decline",
        "offer:accept",
        "financing:approve",
    ]


def test_accepting_into_f4_and_refusal_when_balance_is_gone(client, db):
    firms = make_firms(db, banks=2)
    decl = declaration(db, firms, "100000.00")
    pol = policy(db, firms, [decl])
    need = publish(client, firms, [pol, decl])
    made = offer(client, firms.banks[0], need["id"], amount="90000.00")
    # Meanwhile another bank finances the declaration directly.
    direct = client.post(
        "/v1/financings",
        json=application(firms, [decl], "50000.00"),
        headers=firms.banks[1].headers,
    )
    assert direct.status_code == 201
    res = client.post(f"/v1/offers/{made['id']}/accept", json={}, headers=firms.enterprise.headers)
    assert res.status_code == 409 and res.json()["type"].endswith("/over-financing")
    assert (
        client.get(f"/v1/needs/{need['id']}", headers=firms.enterprise.headers).json()["status"]
        == "open"
    )
    client.post(
        f"/v1/financings/{direct.json()['id']}/cancel",
        json={"reason": "x"},
        headers=firms.banks[1].headers,
    )
    res = client.post(f"/v1/offers/{made['id']}/accept", json={}, headers=firms.enterprise.headers)
    assert res.status_code == 200 and res.json()["financing"]["scenario"] == "F4"


def test_needs_only_with_own_documents_and_withdrawal(client, db):
    firms = make_firms(db)
    other = make_firms(db)
    foreign = declaration(db, other)
    res = client.post(
        "/v1/needs",
        json={
            "amount": "1.00",
            "currency": "USD",
            "tenor_days": 30,
            "purpose": "x",
            "documents": [{"kind": foreign.kind, "key": foreign.key}],
        },
        headers=firms.enterprise.headers,
    )
    assert res.status_code == 422
    need = publish(client, firms, [declaration(db, firms)])
    made = offer(client, firms.banks[0], need["id"])
    res = client.post(f"/v1/needs/{need['id']}/withdraw", json={}, headers=firms.enterprise.headers)
    assert res.status_code == 200 and res.json()["status"] == "withdrawn"
    offers = client.get(f"/v1/needs/{need['id']}/offers", headers=firms.banks[0].headers)
    assert offers.json()[0]["status"] == "declined" and offers.json()[0]["id"] == made["id"]


def grant(client, db, firms, bank, scopes=("credit_profile",)):
    admin = another_principal(db, firms.enterprise.org_id, Role.ADMIN)
    res = client.post(
        "/v1/consents",
        json={
            "bank_org_id": bank.org_id,
            "scopes": list(scopes),
            "expires_at": (utcnow() + timedelta(days=30)).isoformat(),
        },
        headers=admin.headers,
    )
    assert res.status_code == 201, res.text
    return admin, res.json()


def test_credit_query_needs_consent_and_is_listed_to_the_enterprise(client, db):
    firms = make_firms(db, banks=3)
    declaration(db, firms, "100000.00")
    declaration(db, firms, "20000.00", export=False)
    declaration(db, firms, "7000.00", shipped=today() - timedelta(days=400))
    doc = declaration(db, firms, "50000.00", currency="EUR")
    fin = client.post(
        "/v1/financings",
        json=application(firms, [doc], "30000.00", currency="EUR"),
        headers=firms.banks[2].headers,
    ).json()
    body = {"enterprise_uscc": firms.uscc, "purpose": "line review"}
    assert (
        client.post("/v1/credit-queries", json=body, headers=firms.banks[0].headers).status_code
        == 404
    )
    admin, consent = grant(client, db, firms, firms.banks[0])
    res = client.post("/v1/credit-queries", json=body, headers=firms.banks[0].headers)
    assert res.status_code == 201, res.text
    profile = res.json()["profile"]
    assert profile["identity"]["uscc"] == firms.uscc and profile["trade_class"] == "A"
    volumes = profile["trade_volumes_12m"]
    assert volumes["export"] == [
        {"currency": "EUR", "declarations": 1, "total": "50000.00"},
        {"currency": "USD", "declarations": 1, "total": "100000.00"},
    ]
    assert volumes["import"] == [{"currency": "USD", "declarations": 1, "total": "20000.00"}]
    assert profile["financing"]["active"] == [
        {"currency": "EUR", "financings": 1, "amount": "30000.00", "outstanding": "0.00"}
    ]
    # Aggregated across banks: no bank is named or identified.
    assert fin["bank_org_id"] and "Test bank" not in res.text and "bank_org_id" not in res.text
    client.post("/v1/credit-queries", json=body, headers=firms.banks[0].headers)
    assert (
        client.post("/v1/credit-queries", json=body, headers=firms.banks[1].headers).status_code
        == 404
    )
    listed = client.get("/v1/credit-queries", headers=firms.enterprise.headers).json()
    assert [q["bank_org_id"] for q in listed] == [firms.banks[0].org_id] * 2
    assert all(q["consent_id"] == consent["id"] for q in listed)
    assert client.get("/v1/credit-queries", headers=firms.banks[1].headers).json() == []
    client.post(f"/v1/consents/{consent['id']}/revoke", json={}, headers=admin.headers)
    assert (
        client.post("/v1/credit-queries", json=body, headers=firms.banks[0].headers).status_code
        == 404
    )
    with db.session(readonly=True) as session:
        logged = session.scalars(
            select(LedgerEvent.type).where(LedgerEvent.type == "financing:credit:query")
        ).all()
    assert len(logged) == 2


def test_the_market_lists_the_newest_needs_with_each_callers_offers(client, db):
    from crossfin.financing.market import matchmaking
    from crossfin.parties.access import Caller

    firms = make_firms(db, banks=2)
    decl = declaration(db, firms, "100000.00")
    needs = [publish(client, firms, [decl])["id"] for _ in range(3)]
    mine = offer(client, firms.banks[0], needs[0])
    theirs = offer(client, firms.banks[1], needs[0])
    bank = Caller(
        firms.banks[0].principal_id, "svc", Role.OPERATOR, firms.banks[0].org_id, OrgKind.BANK, None
    )
    with db.session(readonly=True) as session:
        newest = matchmaking.list_needs(session, bank, None, 0, 2, newest_first=True)
        assert [n.id for n in newest] == [needs[2], needs[1]]  # the newest, not the oldest
        found = matchmaking.offers_on(
            session, bank, matchmaking.list_needs(session, bank, None, 0, 10)
        )
    assert {k: [o.id for o in v] for k, v in found.items()} == {
        needs[0]: [mine["id"]],
        needs[1]: [],
        needs[2]: [],
    }  # a bank sees only its own
    seen = client.get(f"/v1/needs/{needs[0]}/offers", headers=firms.enterprise.headers)
    assert [o["id"] for o in seen.json()] == [mine["id"], theirs["id"]]
