"""F3 import cash-on-delivery and F6 China-Europe Railway Express: their documents, their
caps at the boundary, and the one balance they share with every other use."""

from __future__ import annotations

from datetime import timedelta

from support.caps import load_caps
from support.financing import (
    application,
    balance_row,
    bill_of_lading,
    declaration,
    make_firms,
    rail_note,
    today,
)


def post(client, party, body):
    return client.post("/v1/financings", json=body, headers=party.headers)


def test_f3_finances_import_declarations_within_the_advance_ratio(client, db):
    firms = make_firms(db)
    load_caps(db, "F3", 1, today(), advance_ratio="0.80", max_declaration_age_days=30)
    imp = declaration(db, firms, "100.00", export=False)
    over = post(client, firms.banks[0], application(firms, [imp], "80.01", scenario="F3"))
    assert over.status_code == 422 and over.json()["type"].endswith("/scenario-limit")
    assert over.json()["document"]["cap"] == "80.00"
    ok = post(client, firms.banks[0], application(firms, [imp], "80.00", scenario="F3"))
    assert ok.status_code == 201, ok.text
    assert balance_row(db, imp) == (8000, 0)
    # The remaining 20.00 of the declaration is left for another bank, no more.
    other = post(client, firms.banks[1], application(firms, [imp], "20.01", scenario="F3"))
    assert other.status_code == 409 and other.json()["type"].endswith("/over-financing")
    rest = post(client, firms.banks[1], application(firms, [imp], "20.00", scenario="F3"))
    assert rest.status_code == 201, rest.text
    again = post(client, firms.banks[0], application(firms, [imp], "0.01", scenario="F3"))
    assert again.status_code == 409 and again.json()["type"].endswith("/duplicate-financing")
    assert balance_row(db, imp) == (10000, 0)


def test_f3_age_boundary_names_the_import_date(client, db):
    firms = make_firms(db)
    load_caps(db, "F3", 1, today(), advance_ratio="1", max_declaration_age_days=30)
    old = declaration(db, firms, "100.00", export=False, shipped=today() - timedelta(days=31))
    res = post(client, firms.banks[0], application(firms, [old], "10.00", scenario="F3"))
    assert res.status_code == 422 and res.json()["field"] == "documents[0].export_date"
    inside = declaration(db, firms, "100.00", export=False, shipped=today() - timedelta(days=30))
    ok = post(client, firms.banks[0], application(firms, [inside], "10.00", scenario="F3"))
    assert ok.status_code == 201, ok.text


def test_f3_refuses_exports_and_other_owners_and_the_others_still_refuse_imports(client, db):
    firms = make_firms(db)
    exp = declaration(db, firms, "100.00")
    res = post(client, firms.banks[0], application(firms, [exp], "10.00", scenario="F3"))
    assert res.status_code == 422 and "export declaration" in res.text
    stranger = make_firms(db, banks=0)
    theirs = declaration(db, firms, "100.00", export=False, owner_uscc=stranger.uscc)
    res = post(client, firms.banks[0], application(firms, [theirs], "10.00", scenario="F3"))
    assert res.status_code == 422 and "does not belong" in res.text
    imp = declaration(db, firms, "100.00", export=False)
    for scenario in ("F1",):
        res = post(client, firms.banks[0], application(firms, [imp], "10.00", scenario=scenario))
        assert res.status_code == 422 and "import declaration" in res.text
    assert balance_row(db, imp) == (0, 0) and balance_row(db, exp) == (0, 0)


def test_f6_pledges_the_consignment_note_once_across_banks(client, db):
    firms = make_firms(db)
    load_caps(db, "F6", 1, today(), pledge_ratio="0.70", max_note_age_days=60)
    note = rail_note(db, firms, "1000.00")
    over = post(client, firms.banks[0], application(firms, [note], "700.01", scenario="F6"))
    assert over.status_code == 422 and over.json()["document"]["cap"] == "700.00"
    ok = post(client, firms.banks[0], application(firms, [note], "700.00", scenario="F6"))
    assert ok.status_code == 201, ok.text
    assert balance_row(db, note) == (100000, 1)
    twice = post(client, firms.banks[1], application(firms, [note], "1.00", scenario="F6"))
    assert twice.status_code == 409 and twice.json()["type"].endswith("/duplicate-financing")
    assert balance_row(db, note) == (100000, 1)


def test_f6_age_and_route(client, db):
    firms = make_firms(db)
    load_caps(db, "F6", 1, today(), pledge_ratio="0.70", max_note_age_days=10)
    old = rail_note(db, firms, accepted=today() - timedelta(days=11))
    res = post(client, firms.banks[0], application(firms, [old], "1.00", scenario="F6"))
    assert res.status_code == 422 and res.json()["field"] == "documents[0].acceptance_date"
    edge = rail_note(db, firms, accepted=today() - timedelta(days=10))
    res = post(client, firms.banks[0], application(firms, [edge], "1.00", scenario="F6"))
    assert res.status_code == 201, res.text
    domestic = rail_note(db, firms, destination_country="CN")
    res = post(client, firms.banks[0], application(firms, [domestic], "1.00", scenario="F6"))
    assert res.status_code == 422
    assert res.json()["errors"][0]["field"] == "documents[0].destination_country"
    unvalued = rail_note(db, firms, value=None)  # no declared value: the bank judges
    res = post(client, firms.banks[0], application(firms, [unvalued], "5000.00", scenario="F6"))
    assert res.status_code == 201, res.text


def test_f6_takes_only_one_consignment_note(client, db):
    firms = make_firms(db)
    bl = bill_of_lading(db, firms, cargo_value="100.00")
    res = post(client, firms.banks[0], application(firms, [bl], "1.00", scenario="F6"))
    assert res.status_code == 422 and "cannot back this scenario" in res.text
    notes = [rail_note(db, firms), rail_note(db, firms)]
    res = post(client, firms.banks[0], application(firms, notes, "1.00", scenario="F6"))
    assert res.status_code == 422


def test_scenarios_are_listed_with_their_kinds(client, db):
    firms = make_firms(db)
    res = client.get("/v1/financing-scenarios", headers=firms.banks[0].headers)
    assert res.status_code == 200, res.text
    listed = {s["name"]: s["kinds"] for s in res.json()}
    assert listed["F3"] == ["customs_declaration"]
    assert listed["F6"] == ["rail_consignment_note"]
    assert listed["F8"] == ["warehouse_receipt"]
