"""Scenario caps as data: F1's advance ratio and age limit, F4's coverage ratio and tenor,
each refused at the boundary and accepted just inside; the version in force by date, and
named in the registration's ledger content."""

from __future__ import annotations

from datetime import timedelta

from support.caps import load_caps, recorded
from support.financing import application, declaration, make_firms, policy, today


def post(client, party, body):
    return client.post("/v1/financings", json=body, headers=party.headers)


def registered_caps(seen):
    return [c["caps"] for t, c in seen if t == "financing:financing:register"]


def test_f1_advance_ratio_of_the_version_in_force_today(client, db, monkeypatch):
    firms = make_firms(db)
    load_caps(db, "F1", 1, today(), advance_ratio="0.80", max_declaration_age_days=30)
    # A stricter version effective tomorrow does not apply today.
    load_caps(
        db, "F1", 2, today() + timedelta(days=1), advance_ratio="0.50", max_declaration_age_days=5
    )
    doc = declaration(db, firms, "100.00")
    over = post(client, firms.banks[0], application(firms, [doc], "80.01"))
    assert over.status_code == 422 and over.json()["type"].endswith("/scenario-limit")
    assert over.json()["document"]["cap"] == "80.00"
    seen = recorded(monkeypatch)
    ok = post(client, firms.banks[0], application(firms, [doc], "80.00"))
    assert ok.status_code == 201, ok.text
    [caps] = registered_caps(seen)
    assert caps["version"] == 1 and caps["source"] == "loaded" and len(caps["params_sha256"]) == 64


def test_f1_declaration_age_boundary(client, db):
    firms = make_firms(db)
    load_caps(db, "F1", 1, today(), advance_ratio="1", max_declaration_age_days=30)
    old = declaration(db, firms, "100.00", shipped=today() - timedelta(days=31))
    res = post(client, firms.banks[0], application(firms, [old], "10.00"))
    assert res.status_code == 422 and res.json()["type"].endswith("/scenario-limit")
    assert res.json()["field"] == "documents[0].export_date"
    inside = declaration(db, firms, "100.00", shipped=today() - timedelta(days=30))
    assert post(client, firms.banks[0], application(firms, [inside], "10.00")).status_code == 201


def test_without_a_loaded_version_the_shipped_defaults_apply_and_are_named(client, db, monkeypatch):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    seen = recorded(monkeypatch)
    assert post(client, firms.banks[0], application(firms, [doc], "100.00")).status_code == 201
    [caps] = registered_caps(seen)
    assert caps["version"] is None and caps["source"] == "shipped"


def test_f4_ratio_is_the_policys_coverage_capped_by_the_maximum(client, db, monkeypatch):
    firms = make_firms(db)
    load_caps(db, "F4", 3, today(), max_advance_ratio="0.85", max_tenor_days=60)
    d1, d2 = declaration(db, firms, "100.00"), declaration(db, firms, "100.00")
    low = policy(db, firms, [d1], coverage="0.8")  # below the maximum: the policy's own
    high = policy(db, firms, [d2], coverage="1")  # above it: capped at 0.85
    for pol, doc, cap in ((low, d1, "80.00"), (high, d2, "85.00")):
        over = post(client, firms.banks[0], application(firms, [pol, doc], "85.01", scenario="F4"))
        assert over.status_code == 422 and over.json()["document"]["cap"] == cap
    seen = recorded(monkeypatch)
    for pol, doc, amount in ((low, d1, "80.00"), (high, d2, "85.00")):
        ok = post(client, firms.banks[0], application(firms, [pol, doc], amount, scenario="F4"))
        assert ok.status_code == 201, ok.text
    assert [c["version"] for c in registered_caps(seen)] == [3, 3]


def test_f4_tenor_cap_names_the_due_date(client, db):
    firms = make_firms(db)
    load_caps(db, "F4", 1, today(), max_advance_ratio="0.9", max_tenor_days=60)
    doc = declaration(db, firms, "100.00")
    pol = policy(db, firms, [doc])
    body = application(firms, [pol, doc], "10.00", scenario="F4")
    far = post(client, firms.banks[0], body | {"due_date": str(today() + timedelta(days=61))})
    assert far.status_code == 422 and far.json()["field"] == "due_date"
    assert far.json()["type"].endswith("/scenario-limit")
    ok = post(client, firms.banks[0], body | {"due_date": str(today() + timedelta(days=60))})
    assert ok.status_code == 201, ok.text


def test_f4_tenor_cap_holds_for_a_due_date_given_at_disbursement(client, db):
    firms = make_firms(db)
    load_caps(db, "F4", 1, today(), max_advance_ratio="0.9", max_tenor_days=60)
    doc = declaration(db, firms, "100.00")
    pol = policy(db, firms, [doc])
    res = post(client, firms.banks[0], application(firms, [pol, doc], "10.00", scenario="F4"))
    fid = res.json()["id"]
    approved = client.post(
        f"/v1/financings/{fid}/approve", json={}, headers=firms.checkers[0].headers
    )
    assert approved.status_code == 200, approved.text

    def disburse(days):
        body = {"due_date": str(today() + timedelta(days=days))}
        url = f"/v1/financings/{fid}/disburse"
        return client.post(url, json=body, headers=firms.banks[0].headers)

    far = disburse(61)
    assert far.status_code == 422 and far.json()["field"] == "due_date"
    assert (
        client.get(f"/v1/financings/{fid}", headers=firms.banks[0].headers).json()["state"]
        == "approved"
    )
    assert disburse(60).status_code == 200
