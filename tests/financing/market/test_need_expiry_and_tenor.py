"""F7 depth: needs expire (F7 caps), and the accepted offer's tenor sets the due date."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from crossfin.financing.market.models import FinancingNeed
from support.caps import load_caps
from support.financing import declaration, make_firms, today


def publish(client, firms, docs, expect=201, **extra):
    body = {
        "amount": "100.00",
        "currency": "USD",
        "tenor_days": 90,
        "purpose": "Q1 shipments",
        "documents": [{"kind": d.kind, "key": d.key} for d in docs],
    } | extra
    res = client.post("/v1/needs", json=body, headers=firms.enterprise.headers)
    assert res.status_code == expect, res.text
    return res.json()


def offer(client, bank, need_id, expect=201, tenor=45):
    body = {"amount": "90.00", "currency": "USD", "rate": "4.10", "tenor_days": tenor}
    res = client.post(f"/v1/needs/{need_id}/offers", json=body, headers=bank.headers)
    assert res.status_code == expect, res.text
    return res.json()


def accept(client, firms, offer_id, expect, **body):
    res = client.post(f"/v1/offers/{offer_id}/accept", json=body, headers=firms.enterprise.headers)
    assert res.status_code == expect, res.text
    return res.json()


def test_a_need_expires_within_the_cap(client, db):
    firms = make_firms(db)
    load_caps(db, "F7", 1, today(), need_validity_days=30)
    doc = declaration(db, firms, "100.00")
    too_far = publish(client, firms, [doc], 422, expires_on=str(today() + timedelta(days=31)))
    assert too_far["field"] == "expires_on" and too_far["type"].endswith("/scenario-limit")
    past = publish(client, firms, [doc], 422, expires_on=str(today() - timedelta(days=1)))
    assert past["errors"][0]["field"] == "expires_on"
    default = publish(client, firms, [doc])
    assert default["expires_on"] == str(today() + timedelta(days=30))
    need = publish(client, firms, [doc], expires_on=str(today() + timedelta(days=30)))
    open_offer = offer(client, firms.banks[0], need["id"])
    # A day later than its last day (moved back here: the clock cannot move).
    with db.session() as session:
        session.execute(
            update(FinancingNeed)
            .where(FinancingNeed.id == need["id"])
            .values(expires_on=today() - timedelta(days=1))
        )
        session.commit()
    late = offer(client, firms.banks[1], need["id"], 409)
    assert late["type"].endswith("/need-expired") and late["field"] == "expires_on"
    refused = accept(client, firms, open_offer["id"], 409)
    assert refused["type"].endswith("/need-expired")
    headers = firms.enterprise.headers
    shown = client.get(f"/v1/needs/{need['id']}", headers=headers).json()
    assert shown["status"] == "expired"
    expired = client.get("/v1/needs?status=expired", headers=headers).json()
    assert [n["id"] for n in expired] == [need["id"]]
    still_open = client.get("/v1/needs", headers=headers).json()
    assert [n["id"] for n in still_open] == [default["id"]]


def test_the_offers_tenor_sets_the_due_date(client, db):
    firms = make_firms(db)
    need = publish(client, firms, [declaration(db, firms, "100.00")])
    made = offer(client, firms.banks[0], need["id"], tenor=45)
    due = today() + timedelta(days=45)
    other = accept(client, firms, made["id"], 422, due_date=str(due + timedelta(days=1)))
    assert other["errors"][0]["field"] == "due_date"
    done = accept(client, firms, made["id"], 200, due_date=str(due))
    financing = client.get(
        f"/v1/financings/{done['financing']['id']}", headers=firms.enterprise.headers
    ).json()
    assert financing["due_date"] == str(due)
    # Nor can the bank move it at disbursement.
    fid = done["financing"]["id"]
    checker = firms.checkers[0]
    ok = client.post(f"/v1/financings/{fid}/approve", json={}, headers=checker.headers)
    assert ok.status_code == 200, ok.text
    url = f"/v1/financings/{fid}/disburse"
    moved = client.post(
        url, json={"due_date": str(due + timedelta(days=5))}, headers=firms.banks[0].headers
    )
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "due_date"
    same = client.post(url, json={"due_date": str(due)}, headers=firms.banks[0].headers)
    assert same.status_code == 200, same.text


def test_the_market_page_shows_an_expired_need(client, db):
    from crossfin.parties.models import Role
    from support.web import add_user, login

    firms = make_firms(db)
    need = publish(client, firms, [declaration(db, firms, "100.00")])
    made = offer(client, firms.banks[0], need["id"])
    assert login(client, add_user(db, firms.enterprise.org_id, Role.ADMIN)).status_code == 303
    page = client.get("/market").text
    assert f'data-test="accept-{made["id"]}"' in page
    assert f"Open until {need['expires_on']}" in page
    with db.session() as session:
        session.execute(
            update(FinancingNeed)
            .where(FinancingNeed.id == need["id"])
            .values(expires_on=today() - timedelta(days=1))
        )
        session.commit()
    page = client.get("/market").text
    status = page.split(f'data-test="need-status-{need["id"]}">', 1)[1].split("<", 1)[0]
    assert status == "Expired"
    assert f'data-test="accept-{made["id"]}"' not in page
