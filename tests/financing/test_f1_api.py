"""F1 over HTTP: registration reserves, refusals are 409 problems recorded for the regulator."""

from __future__ import annotations

from sqlalchemy import select

from crossfin.ledger.models import LedgerEvent
from crossfin.parties.alerts import Alert
from crossfin.parties.models import OrgKind, Role
from support.financing import application, balance_row, declaration, make_firms
from support.parties import make_party


def test_register_reserves_and_answers_with_receipt(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    body = application(firms, [doc], "60000.00")
    res = client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    assert res.status_code == 201, res.text
    data = res.json()
    assert data["state"] == "registered" and data["scenario"] == "F1"
    assert data["documents"][0]["reserved"] == "60000.00"
    assert data["receipt"]["leaf_index"] is not None
    assert balance_row(db, doc) == (6_000_000, 0)
    left = client.get(
        f"/v1/balances/customs_declaration/{doc.key}",
        params={"total_value": "100000.00"},
        headers=firms.banks[1].headers,
    ).json()
    assert left["remaining"] == "40000.00" and left["in_use"] is True


def test_over_and_duplicate_financing_are_409_and_alerted(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100000.00")
    ok = client.post(
        "/v1/financings", json=application(firms, [doc], "70000.00"), headers=firms.banks[0].headers
    )
    assert ok.status_code == 201
    over = client.post(
        "/v1/financings", json=application(firms, [doc], "40000.00"), headers=firms.banks[1].headers
    )
    assert over.status_code == 409
    problem = over.json()
    assert over.headers["content-type"].startswith("application/problem+json")
    assert problem["type"].endswith("/over-financing")
    assert problem["document"] == {
        "kind": "customs_declaration",
        "key": doc.key,
        "currency": "USD",
        "remaining": "30000.00",
        "requested": "40000.00",
        "single_use": False,
    }
    # Nothing about who holds the rest: only these keys, and no bank or financing fields.
    assert set(problem) == {
        "type",
        "title",
        "status",
        "detail",
        "document",
        "documents",
        "instance",
        "request_id",
    }
    assert "bank" not in over.text.lower() and "financing_id" not in over.text
    rest = client.post(
        "/v1/financings", json=application(firms, [doc], "30000.00"), headers=firms.banks[1].headers
    )
    assert rest.status_code == 201
    dup = client.post(
        "/v1/financings", json=application(firms, [doc], "1.00"), headers=firms.banks[1].headers
    )
    assert dup.status_code == 409 and dup.json()["type"].endswith("/duplicate-financing")
    with db.session(readonly=True) as session:
        kinds = sorted(a.kind for a in session.scalars(select(Alert)))
        refused = session.scalars(
            select(LedgerEvent).where(LedgerEvent.type == "financing:attempt:refuse")
        ).all()
    assert kinds == ["duplicate-financing", "over-financing"]
    assert len(refused) == 2
    assert balance_row(db, doc) == (10_000_000, 0)


def test_owner_export_and_unknown_documents_are_validated(client, db):
    firms = make_firms(db)
    other = make_party(db, OrgKind.ENTERPRISE, Role.OPERATOR)
    imported = declaration(db, firms, export=False)
    body = application(firms, [imported], "10.00")
    res = client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    assert res.status_code == 422 and "import declaration" in res.text
    mine = declaration(db, firms)
    body = application(firms, [mine], "10.00")
    body["enterprise_uscc"] = __import__("support.financing").financing.uscc_of(db, other.org_id)
    res = client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    assert res.status_code == 422 and "does not belong" in res.text
    body = application(firms, [mine], "10.00")
    body["documents"].append({"kind": "customs_declaration", "key": "530120260999999999"})
    res = client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    assert res.status_code == 422 and res.json()["errors"][0]["field"] == "documents[1]"


def test_only_bank_makers_register(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms)
    body = application(firms, [doc], "10.00")
    assert (
        client.post("/v1/financings", json=body, headers=firms.enterprise.headers).status_code
        == 403
    )
    assert (
        client.post("/v1/financings", json=body, headers=firms.checkers[0].headers).status_code
        == 403
    )


def test_several_declarations_split_pro_rata_or_as_given(client, db):
    firms = make_firms(db)
    a, b = declaration(db, firms, "300.00"), declaration(db, firms, "100.00")
    res = client.post(
        "/v1/financings", json=application(firms, [a, b], "100.01"), headers=firms.banks[0].headers
    )
    assert res.status_code == 201, res.text
    reserved = [d["reserved"] for d in res.json()["documents"]]
    assert reserved == ["75.01", "25.00"]
    res = client.post(
        "/v1/financings",
        json=application(firms, [a, b], "90.00", amounts=["10.00", "80.00"]),
        headers=firms.banks[1].headers,
    )
    assert res.status_code == 409 and res.json()["document"]["key"] == b.key
    res = client.post(
        "/v1/financings",
        json=application(firms, [a, b], "50.00", amounts=["10.00", "30.00"]),
        headers=firms.banks[1].headers,
    )
    assert res.status_code == 422


def test_external_ref_unique_per_bank_and_idempotent_retry(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms)
    body = application(firms, [doc], "100.00", ref="LN-1")
    headers = firms.banks[0].headers | {"Idempotency-Key": "k-1"}
    first = client.post("/v1/financings", json=body, headers=headers)
    again = client.post("/v1/financings", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert balance_row(db, doc) == (10_000, 0)
    dup = client.post("/v1/financings", json=body, headers=firms.banks[0].headers)
    assert dup.status_code == 409 and dup.json()["type"].endswith("/already-exists")
    other = client.post("/v1/financings", json=body, headers=firms.banks[1].headers)
    assert other.status_code == 201
