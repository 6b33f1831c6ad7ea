"""Access control through HTTP: every denial, and the matching successes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.parties import another_principal, make_party


def test_no_key_is_401_with_a_problem(client: TestClient, db: Database) -> None:
    response = client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"].endswith("/unauthenticated")


def test_bogus_and_malformed_keys_are_401(client: TestClient, db: Database) -> None:
    party = make_party(db, OrgKind.BANK)
    key_id = party.key.split("_")[1]
    for token in ("nonsense", f"cf_{key_id}_wrongsecret", "cf_ffffffffffff_x", "cf__"):
        response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
    basic = client.get("/v1/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert basic.status_code == 401


def test_revoked_key_is_401(client: TestClient, db: Database) -> None:
    party = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=party.headers).status_code == 200
    key_id = party.key.split("_")[1]
    revoked = client.post(f"/v1/keys/{key_id}/revoke", headers=party.headers)
    assert revoked.status_code == 200
    assert revoked.json()["receipt"]["leaf_index"] is not None
    response = client.get("/v1/me", headers=party.headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_own_org_is_readable_and_another_partys_is_404(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    other = make_party(db, OrgKind.ENTERPRISE)
    assert client.get(f"/v1/orgs/{bank.org_id}", headers=bank.headers).status_code == 200
    hidden = client.get(f"/v1/orgs/{other.org_id}", headers=bank.headers)
    assert hidden.status_code == 404
    missing = client.get("/v1/orgs/999999", headers=bank.headers)
    # The same answer for "exists but not yours" and "does not exist".
    assert hidden.json()["type"] == missing.json()["type"]
    listed = client.get("/v1/orgs", headers=bank.headers).json()
    assert [o["id"] for o in listed] == [bank.org_id]


def test_regulator_sees_its_subtree_only(client: TestClient, db: Database) -> None:
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    nanshan_firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    ningbo_firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="330203")
    seen = client.get(f"/v1/orgs/{nanshan_firm.org_id}", headers=shenzhen.headers)
    assert seen.status_code == 200
    outside = client.get(f"/v1/orgs/{ningbo_firm.org_id}", headers=shenzhen.headers)
    assert outside.status_code == 404
    ids = {o["id"] for o in client.get("/v1/orgs", headers=shenzhen.headers).json()}
    assert nanshan_firm.org_id in ids and ningbo_firm.org_id not in ids


def test_head_office_sees_everyone(client: TestClient, db: Database) -> None:
    head = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="330203")
    customs = make_party(db, OrgKind.CUSTOMS)
    for org_id in (firm.org_id, customs.org_id):
        assert client.get(f"/v1/orgs/{org_id}", headers=head.headers).status_code == 200


def test_wrong_kind_or_role_is_403(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    body = {"kind": "tax", "name": "Tax bureau"}
    wrong_kind = client.post("/v1/orgs", json=body, headers=bank.headers)
    assert wrong_kind.status_code == 403
    operator = make_party(db, OrgKind.OPERATOR, role=Role.OPERATOR)
    wrong_role = client.post("/v1/orgs", json=body, headers=operator.headers)
    assert wrong_role.status_code == 403
    admin = another_principal(db, operator.org_id, Role.ADMIN)
    assert client.post("/v1/orgs", json=body, headers=admin.headers).status_code == 201


def test_trade_class_only_by_a_regulator_over_it(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    body = {"trade_class": "B", "reason": "late receipts"}
    url = f"/v1/orgs/{firm.org_id}/trade-class"
    assert client.put(url, json=body, headers=firm.headers).status_code == 403
    far = make_party(db, OrgKind.REGULATOR, jurisdiction="330000")
    assert client.put(url, json=body, headers=far.headers).status_code == 404
    auditor = make_party(db, OrgKind.REGULATOR, role=Role.AUDITOR, jurisdiction="440300")
    assert client.put(url, json=body, headers=auditor.headers).status_code == 403
    near = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    changed = client.put(url, json=body, headers=near.headers)
    assert changed.status_code == 200
    assert changed.json()["trade_class"] == "B"
    assert client.get(f"/v1/orgs/{firm.org_id}", headers=firm.headers).json()["trade_class"] == "B"


def test_admin_manages_own_keys_but_not_another_orgs(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    clerk = another_principal(db, bank.org_id, Role.OPERATOR)
    other = make_party(db, OrgKind.BANK)
    issued = client.post(
        "/v1/keys", json={"principal_id": clerk.principal_id}, headers=bank.headers
    )
    assert issued.status_code == 201
    assert issued.json()["key"].startswith("cf_")
    # An operator-role clerk may not mint keys for its admin.
    denied = client.post(
        "/v1/keys", json={"principal_id": bank.principal_id}, headers=clerk.headers
    )
    assert denied.status_code == 403
    foreign = client.post(
        "/v1/keys", json={"principal_id": other.principal_id}, headers=bank.headers
    )
    assert foreign.status_code == 404
    other_key = other.key.split("_")[1]
    assert client.post(f"/v1/keys/{other_key}/revoke", headers=bank.headers).status_code == 404
