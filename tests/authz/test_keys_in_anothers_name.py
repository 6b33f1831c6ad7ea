"""Keys only in one's own name (issue 10, items 4.2 and 4.3).

A principal issues keys for itself; an admin also for its own organization's service
accounts; never for another user, never across organizations, the operator included.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Principal, Role
from support.financing import application, declaration, make_firms
from support.parties import Party, another_principal, make_party
from support.web import PASSWORD, add_user


def principal_id(db: Database, username: str) -> int:
    with db.session(readonly=True) as session:
        found = session.scalar(select(Principal.id).where(Principal.username == username))
        assert found is not None
        return found


def issue(client: TestClient, issuer: Party, principal: int):  # type: ignore[no-untyped-def]
    return client.post("/v1/keys", headers=issuer.headers, json={"principal_id": principal})


def test_a_bank_admin_cannot_mint_its_approvers_key_to_approve_its_own_financing(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=1)
    admin = another_principal(db, firms.banks[0].org_id, Role.ADMIN)
    approver = principal_id(db, add_user(db, firms.banks[0].org_id, Role.APPROVER))
    doc = declaration(db, firms, "1000.00")
    made = client.post(
        "/v1/financings", headers=admin.headers, json=application(firms, [doc], "100.00")
    )
    assert made.status_code == 201, made.text
    minted = issue(client, admin, approver)
    assert minted.status_code == 403, minted.text
    assert "user alone" in minted.json()["detail"]
    # Nothing to approve with: the financing stays registered.
    got = client.get(f"/v1/financings/{made.json()['id']}", headers=admin.headers)
    assert got.json()["state"] == "registered"


def test_an_admin_still_issues_keys_for_its_service_accounts_and_a_user_for_itself(
    client: TestClient, db: Database
) -> None:
    bank = make_party(db, OrgKind.BANK)
    robot = another_principal(db, bank.org_id, Role.OPERATOR)  # a service account
    assert issue(client, bank, robot.principal_id).status_code == 201
    # The service account itself is not an admin: no keys for its admin.
    assert issue(client, robot, bank.principal_id).status_code == 403
    # A user with a key (issued on the command line) issues its own further keys.
    user = principal_id(db, add_user(db, bank.org_id, Role.APPROVER))
    from crossfin.ledger.uow import UnitOfWork
    from crossfin.parties import credentials
    from support.parties import TEST_ACTOR

    with UnitOfWork(db, TEST_ACTOR) as uow:
        _, key, _ = credentials.issue_key(uow, user)
        uow.commit()
    itself = Party(bank.org_id, user, key)
    assert issue(client, itself, user).status_code == 201
    assert issue(client, itself, robot.principal_id).status_code == 403


def test_the_operator_holds_no_key_in_a_regulators_name(client: TestClient, db: Database) -> None:
    operator = make_party(db, OrgKind.OPERATOR)
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    add_user(db, regulator.org_id, Role.ADMIN)  # the regulator has its own admin
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    firms = make_firms(db, banks=1)
    declaration(db, firms, "1000.00")
    minted = issue(client, operator, regulator.principal_id)
    assert minted.status_code == 403, minted.text
    assert "own organization" in minted.json()["detail"]
    # Nor through a service account it adds to the regulator, nor a second user.
    service = client.post(
        f"/v1/orgs/{regulator.org_id}/services",
        headers=operator.headers,
        json={"name": "backdoor", "role": "admin"},
    )
    assert service.status_code == 403
    user = client.post(
        f"/v1/orgs/{regulator.org_id}/users",
        headers=operator.headers,
        json={"username": "op-as-regulator", "password": PASSWORD, "role": "admin"},
    )
    assert user.status_code == 403, user.text
    # The operator reads nothing a regulator's jurisdiction grants.
    assert client.get("/v1/alerts", headers=operator.headers).status_code == 403
    assert client.get("/v1/documents", headers=operator.headers).json()["items"] == []
    assert client.get("/v1/financings", headers=operator.headers).json()["items"] == []
    assert client.get("/v1/needs", headers=operator.headers).json() == []
    assert client.get("/v1/consents", headers=operator.headers).json() == []
    assert client.get("/v1/credit-queries", headers=operator.headers).json() == []
    assert client.get("/v1/documents/verifications", headers=operator.headers).json()["items"] == []
    # What the operator does do: onboard a party and its first admin user.
    assert client.get(f"/v1/orgs/{firm.org_id}", headers=operator.headers).status_code == 200
    fresh = client.post(
        "/v1/orgs",
        headers=operator.headers,
        json={"kind": "regulator", "name": "Zhejiang office", "jurisdictions": ["330000"]},
    )
    assert fresh.status_code == 201, fresh.text
    body = {"username": "zj-admin", "password": PASSWORD, "role": "admin"}
    first = client.post(f"/v1/orgs/{fresh.json()['id']}/users", headers=operator.headers, json=body)
    assert first.status_code == 201, first.text
    second = client.post(
        f"/v1/orgs/{fresh.json()['id']}/users",
        headers=operator.headers,
        json=body | {"username": "zj-second"},
    )
    assert second.status_code == 403
    # Its keys stay the admin's own business.
    assert issue(client, operator, first.json()["id"]).status_code == 403


def test_keys_are_revoked_by_their_principal_its_admins_and_the_operator(
    client: TestClient, db: Database
) -> None:
    bank = make_party(db, OrgKind.BANK)
    clerk = another_principal(db, bank.org_id, Role.OPERATOR)
    operator = make_party(db, OrgKind.OPERATOR)
    other = make_party(db, OrgKind.BANK)
    clerk_key = clerk.key.split("_")[1]
    assert client.post(f"/v1/keys/{clerk_key}/revoke", headers=other.headers).status_code == 404
    assert client.post(f"/v1/keys/{clerk_key}/revoke", headers=bank.headers).status_code == 200
    bank_key = bank.key.split("_")[1]
    assert client.post(f"/v1/keys/{bank_key}/revoke", headers=operator.headers).status_code == 200
