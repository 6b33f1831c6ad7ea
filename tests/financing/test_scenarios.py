"""Scenario caps and checks: F4 policy financing, F5 logistics, and F1 + F4 on one balance."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crossfin.documents.balance import split_pro_rata
from crossfin.ledger.models import LedgerEventParty
from support.financing import (
    application,
    balance_row,
    bill_of_lading,
    declaration,
    make_firms,
    policy,
    today,
    warehouse_receipt,
)


def post(client, party, body):
    return client.post("/v1/financings", json=body, headers=party.headers)


def test_f4_caps_at_advance_ratio_and_reserves_policy_and_declarations(client, db):
    firms = make_firms(db)
    d1, d2 = declaration(db, firms, "100000.00"), declaration(db, firms, "100000.00")
    pol = policy(db, firms, [d1, d2], credit_limit="500000.00")
    too_much = application(firms, [pol, d1, d2], "180000.02", scenario="F4")
    res = post(client, firms.banks[0], too_much)
    assert res.status_code == 422 and res.json()["type"].endswith("/scenario-limit")
    ok = post(client, firms.banks[0], application(firms, [pol, d1, d2], "180000.00", scenario="F4"))
    assert ok.status_code == 201, ok.text
    assert balance_row(db, pol)[0] == 18_000_000
    assert balance_row(db, d1)[0] == balance_row(db, d2)[0] == 9_000_000
    # The insurer sees the financing and its ledger records.
    fid = ok.json()["id"]
    seen = client.get(f"/v1/financings/{fid}", headers=firms.insurer.headers)
    assert seen.status_code == 200 and seen.json()["insurer_org_id"] == firms.insurer.org_id
    listed = client.get("/v1/financings", headers=firms.insurer.headers).json()
    assert [f["id"] for f in listed["items"]] == [fid]
    with db.session(readonly=True) as session:
        orgs = set(session.scalars(select(LedgerEventParty.org_id)))
    assert firms.insurer.org_id in orgs


def test_f4_credit_limit_is_the_policy_balance(client, db):
    firms = make_firms(db)
    decls = [declaration(db, firms, "100000.00") for _ in range(3)]
    pol = policy(db, firms, decls, credit_limit="150000.00")
    first = post(
        client, firms.banks[0], application(firms, [pol, decls[0]], "90000.00", scenario="F4")
    )
    assert first.status_code == 201
    second = post(
        client, firms.banks[1], application(firms, [pol, decls[1]], "90000.00", scenario="F4")
    )
    assert second.status_code == 409
    assert second.json()["document"] == {
        "kind": "insurance_policy",
        "key": pol.key,
        "currency": "USD",
        "remaining": "60000.00",
        "requested": "90000.00",
        "single_use": False,
    }


def test_f4_checks_listing_validity_and_shipment_dates(client, db):
    firms = make_firms(db)
    listed, unlisted = declaration(db, firms), declaration(db, firms)
    pol = policy(db, firms, [listed])
    res = post(client, firms.banks[0], application(firms, [pol, unlisted], "10.00", scenario="F4"))
    assert res.status_code == 422 and "not declared under policy" in res.text
    expired = policy(
        db,
        firms,
        [listed],
        valid_from=today() - timedelta(days=400),
        valid_to=today() - timedelta(days=1),
    )
    res = post(
        client, firms.banks[0], application(firms, [expired, listed], "10.00", scenario="F4")
    )
    assert res.status_code == 422 and "valid from" in res.text
    old = declaration(db, firms, shipped=today() - timedelta(days=60))
    pol2 = policy(db, firms, [old], valid_from=today() - timedelta(days=10))
    res = post(client, firms.banks[0], application(firms, [pol2, old], "10.00", scenario="F4"))
    assert res.status_code == 422 and "outside the policy" in res.text
    res = post(client, firms.banks[0], application(firms, [listed], "10.00", scenario="F4"))
    assert res.status_code == 422


def test_f1_and_f4_together_cannot_exceed_a_declaration(client, db):
    firms = make_firms(db)
    decl = declaration(db, firms, "100000.00")
    pol = policy(db, firms, [decl])
    f1 = post(client, firms.banks[0], application(firms, [decl], "30000.00"))
    assert f1.status_code == 201
    # F4 alone would allow 90 000 on it; only 70 000 are left of the one balance.
    f4 = post(client, firms.banks[1], application(firms, [pol, decl], "80000.00", scenario="F4"))
    assert f4.status_code == 409 and f4.json()["document"]["key"] == decl.key
    assert f4.json()["document"]["remaining"] == "70000.00"
    f4 = post(client, firms.banks[1], application(firms, [pol, decl], "70000.00", scenario="F4"))
    assert f4.status_code == 201
    again = post(client, firms.banks[0], application(firms, [decl], "0.01"))
    assert again.status_code == 409 and again.json()["type"].endswith("/duplicate-financing")
    assert balance_row(db, decl)[0] == 10_000_000


def test_f5_single_use_pledge_locked_until_released(client, db):
    firms = make_firms(db)
    bl = bill_of_lading(db, firms, negotiable=True)
    first = post(client, firms.banks[0], application(firms, [bl], "50000.00", scenario="F5"))
    assert first.status_code == 201, first.text
    use = first.json()["documents"][0]
    assert use["note"].startswith("negotiable bill of lading endorsed")
    assert balance_row(db, bl) == (0, 1)
    second = post(client, firms.banks[1], application(firms, [bl], "1.00", scenario="F5"))
    assert second.status_code == 409
    assert second.json()["type"].endswith("/duplicate-financing")
    assert "single use" in second.json()["detail"]
    fid = first.json()["id"]
    client.post(f"/v1/financings/{fid}/approve", json={}, headers=firms.checkers[0].headers)
    client.post(
        f"/v1/financings/{fid}/disburse",
        json={"due_date": "2099-01-01"},
        headers=firms.banks[0].headers,
    )
    partly = client.post(
        f"/v1/financings/{fid}/repay", json={"amount": "20000.00"}, headers=firms.banks[0].headers
    )
    assert partly.json()["state"] == "partly_repaid"
    assert balance_row(db, bl) == (0, 1)  # a pledge is held until the loan is repaid
    client.post(
        f"/v1/financings/{fid}/repay", json={"amount": "30000.00"}, headers=firms.banks[0].headers
    )
    assert balance_row(db, bl) == (0, 0)
    again = post(client, firms.banks[1], application(firms, [bl], "1.00", scenario="F5"))
    assert again.status_code == 201


def test_f5_warehouse_receipt_capped_by_pledge_ratio(client, db):
    firms = make_firms(db)
    receipt = warehouse_receipt(db, firms, valuation="200000.00", currency="CNY")
    res = post(
        client,
        firms.banks[0],
        application(firms, [receipt], "140000.01", scenario="F5", currency="CNY"),
    )
    assert res.status_code == 422 and res.json()["type"].endswith("/scenario-limit")
    res = post(
        client,
        firms.banks[0],
        application(firms, [receipt], "140000.00", scenario="F5", currency="CNY"),
    )
    assert res.status_code == 201
    assert balance_row(db, receipt) == (20_000_000, 1)
    res = post(
        client,
        firms.banks[0],
        application(
            firms, [receipt, bill_of_lading(db, firms)], "1.00", scenario="F5", currency="CNY"
        ),
    )
    assert res.status_code == 422


def test_currency_conversion_rounds_up_and_is_recorded(client, db):
    firms = make_firms(db)
    decl = declaration(db, firms, "1000.00", currency="USD")
    body = application(firms, [decl], "100.00", currency="CNY", fx_rates={"USD/CNY": "7.1"})
    res = post(client, firms.banks[0], body)
    assert res.status_code == 201, res.text
    use = res.json()["documents"][0]
    # 100 CNY / 7.1 = 14.0845... USD, rounded up to 14.09.
    assert use["reserved"] == "14.09" and use["fx_source"] == "request"
    missing = post(client, firms.banks[0], application(firms, [decl], "100.00", currency="EUR"))
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "fx_rates"


def test_daily_table_conversion(client, db):
    from crossfin.parties.models import OrgKind
    from support.parties import make_party

    firms = make_firms(db)
    operator = make_party(db, OrgKind.OPERATOR)
    loaded = client.post(
        "/v1/fx-rates",
        json={
            "rates": [
                {
                    "date": (today() - timedelta(days=1)).isoformat(),
                    "pair": "EUR/USD",
                    "rate": "1.0800",
                }
            ]
        },
        headers=operator.headers,
    )
    assert loaded.status_code == 200 and loaded.json()["loaded"] == 1
    assert (
        client.post(
            "/v1/fx-rates",
            json={"rates": [{"date": today().isoformat(), "pair": "EUR/USD", "rate": "1"}]},
            headers=firms.banks[0].headers,
        ).status_code
        == 403
    )
    decl = declaration(db, firms, "1000.00")
    res = post(client, firms.banks[0], application(firms, [decl], "100.00", currency="EUR"))
    assert res.status_code == 201, res.text
    use = res.json()["documents"][0]
    assert use["reserved"] == "108.00" and use["fx_source"].startswith("table:")


def test_split_pro_rata_is_exact():
    for total, weights in [(100, [1, 1, 1]), (7, [5, 3]), (1, [1, 1]), (10001, [3, 1])]:
        parts = split_pro_rata(total, weights)
        assert sum(parts) == total
        assert all(p <= w * total // sum(weights) + 1 for p, w in zip(parts, weights, strict=True))
    assert split_pro_rata(100, [1, 1, 1]) == [34, 33, 33]
