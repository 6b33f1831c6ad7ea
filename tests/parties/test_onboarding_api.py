"""Onboarding through HTTP: validation problems name fields and change nothing; retries."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.models import Organization, OrgKind
from support.parties import make_party

GOOD_USCC = "91440300MA5DC6QX9C"


def _counts(db: Database) -> tuple[int, int]:
    with db.session(readonly=True) as session:
        orgs = session.scalar(select(func.count()).select_from(Organization)) or 0
        events = session.scalar(select(func.count()).select_from(LedgerEvent)) or 0
    return orgs, events


def _operator(db: Database):  # type: ignore[no-untyped-def]
    return make_party(db, OrgKind.OPERATOR)


def test_enterprise_is_onboarded_with_a_receipt(client: TestClient, db: Database) -> None:
    op = _operator(db)
    body = {"kind": "enterprise", "name": "Lotus", "uscc": GOOD_USCC, "jurisdictions": ["440305"]}
    response = client.post("/v1/orgs", json=body, headers=op.headers)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["trade_class"] == "A" and data["jurisdiction"] == "440305"
    receipt = data["receipt"]
    assert len(receipt["leaf_hash"]) == 64 and isinstance(receipt["leaf_index"], int)


def test_bad_uscc_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, db: Database
) -> None:
    op = _operator(db)
    before = _counts(db)
    body = {
        "kind": "enterprise",
        "name": "Forged",
        "uscc": GOOD_USCC[:-1] + "D",
        "jurisdictions": ["440305"],
    }
    response = client.post("/v1/orgs", json=body, headers=op.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation")
    assert [e["field"] for e in problem["errors"]] == ["uscc"]
    assert "check character" in problem["errors"][0]["reason"]
    assert _counts(db) == before


def test_bad_bic_and_bad_jurisdiction_are_both_reported(client: TestClient, db: Database) -> None:
    op = _operator(db)
    before = _counts(db)
    body = {"kind": "bank", "name": "Nowhere Bank", "bic": "NOWHQQ22", "jurisdictions": ["999999"]}
    response = client.post("/v1/orgs", json=body, headers=op.headers)
    assert response.status_code == 422
    fields = {e["field"]: e["reason"] for e in response.json()["errors"]}
    assert "country" in fields["bic"]
    assert "unknown" in fields["jurisdictions[0]"]
    assert _counts(db) == before


def test_schema_errors_name_each_field(client: TestClient, db: Database) -> None:
    op = _operator(db)
    response = client.post("/v1/orgs", json={"kind": "castle", "extra": 1}, headers=op.headers)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "name", "extra"} <= fields


def test_enterprise_must_sit_in_a_county(client: TestClient, db: Database) -> None:
    op = _operator(db)
    body = {"kind": "enterprise", "name": "Lotus", "uscc": GOOD_USCC, "jurisdictions": ["440300"]}
    response = client.post("/v1/orgs", json=body, headers=op.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "jurisdictions[0]"


def test_duplicate_uscc_is_a_conflict(client: TestClient, db: Database) -> None:
    op = _operator(db)
    body = {"kind": "enterprise", "name": "Lotus", "uscc": GOOD_USCC, "jurisdictions": ["440305"]}
    assert client.post("/v1/orgs", json=body, headers=op.headers).status_code == 201
    again = client.post("/v1/orgs", json=body | {"name": "Lotus 2"}, headers=op.headers)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/already-exists")


def test_idempotent_retry_returns_the_original_and_creates_nothing(
    client: TestClient, db: Database
) -> None:
    op = _operator(db)
    body = {"kind": "enterprise", "name": "Lotus", "uscc": GOOD_USCC, "jurisdictions": ["440305"]}
    headers = op.headers | {"Idempotency-Key": "onboard-lotus-1"}
    first = client.post("/v1/orgs", json=body, headers=headers)
    before = _counts(db)
    second = client.post("/v1/orgs", json=body, headers=headers)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("idempotent-replayed") == "true"
    assert _counts(db) == before
    changed = client.post("/v1/orgs", json=body | {"name": "Other"}, headers=headers)
    assert changed.status_code == 409
    assert changed.json()["type"].endswith("/idempotency-conflict")
    assert _counts(db) == before


def test_idempotency_keys_are_per_organization(client: TestClient, db: Database) -> None:
    bank_a, bank_b = make_party(db, OrgKind.BANK), make_party(db, OrgKind.BANK)
    for bank in (bank_a, bank_b):
        headers = bank.headers | {"Idempotency-Key": "same-key"}
        response = client.post(
            "/v1/keys", json={"principal_id": bank.principal_id}, headers=headers
        )
        assert response.status_code == 201


def test_unexpected_error_is_a_problem_with_a_logged_correlation_id(
    client: TestClient,
    db: Database,
    caplog,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    from crossfin.parties import service

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(service, "get_org", explode)
    bank = make_party(db, OrgKind.BANK)
    response = client.get(f"/v1/orgs/{bank.org_id}", headers=bank.headers)
    assert response.status_code == 500
    problem = response.json()
    assert problem["type"].endswith("/internal") and "fire" not in response.text
    assert any(
        getattr(r, "correlation_id", None) == problem["correlation_id"] for r in caplog.records
    )


def test_expired_idempotency_records_are_purged(client: TestClient, db: Database) -> None:
    from datetime import timedelta

    from crossfin.core import idempotency

    op = _operator(db)
    body = {"kind": "enterprise", "name": "Lotus", "uscc": GOOD_USCC, "jurisdictions": ["440305"]}
    headers = op.headers | {"Idempotency-Key": "old-key"}
    assert client.post("/v1/orgs", json=body, headers=headers).status_code == 201
    with db.session() as session, session.begin():
        assert idempotency.purge(session, 24) == 0  # still within the promised window
        row = session.get_one(idempotency.IdempotencyRecord, (op.org_id, "old-key"))
        row.created_at = row.created_at - timedelta(hours=25)
    with db.session() as session, session.begin():
        assert idempotency.purge(session, 24) == 1
