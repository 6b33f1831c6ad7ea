"""The notifications API: a principal lists and marks only its own and its organization's
notices; everything else is 404, as if it did not exist. And principals' e-mail addresses."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.models import OrgKind, Principal, Role
from support.notifications import SUBJECT, send_notice
from support.parties import another_principal, make_party


def _ids(client: TestClient, headers: dict[str, str], query: str = "") -> list[int]:
    answer = client.get(f"/v1/notifications{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_a_principal_sees_its_own_and_org_wide_notices_only(
    db: Database, client: TestClient
) -> None:
    bank = make_party(db, OrgKind.BANK)
    colleague = another_principal(db, bank.org_id, Role.OPERATOR)
    stranger = make_party(db, OrgKind.BANK)
    to_all = send_notice(db, bank.org_id)
    to_me = send_notice(db, bank.org_id, bank.principal_id, link=None)
    to_colleague = send_notice(db, bank.org_id, colleague.principal_id)
    send_notice(db, stranger.org_id)

    assert _ids(client, bank.headers) == [to_me, to_all]
    assert _ids(client, colleague.headers) == [to_colleague, to_all]
    answer = client.get("/v1/notifications", headers=bank.headers).json()
    assert answer["unread"] == 2 and answer["next_before"] is None
    item = answer["items"][1]
    assert item["subject"] == {"zh": SUBJECT.zh, "en": SUBJECT.en}
    assert item["org_wide"] is True and item["read_at"] is None
    assert item["link"] == "/filings/12"
    assert answer["items"][0]["org_wide"] is False and answer["items"][0]["link"] is None


def test_mark_read_is_per_principal_and_idempotent(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    colleague = another_principal(db, bank.org_id, Role.OPERATOR)
    notice = send_notice(db, bank.org_id)
    entries_before = _log_size(db)

    first = client.post(f"/v1/notifications/{notice}/read", headers=bank.headers)
    assert first.status_code == 200, first.text
    read_at = first.json()["read_at"]
    assert read_at is not None
    again = client.post(f"/v1/notifications/{notice}/read", headers=bank.headers)
    assert again.status_code == 200 and again.json()["read_at"] == read_at
    assert _log_size(db) == entries_before  # reading is not a business fact

    assert _ids(client, bank.headers, "?unread=true") == []
    assert client.get("/v1/notifications", headers=bank.headers).json()["unread"] == 0
    # The org-wide notice is still unread for the colleague.
    assert _ids(client, colleague.headers, "?unread=true") == [notice]


def test_another_orgs_principal_can_neither_read_nor_mark(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    operator = make_party(db, OrgKind.OPERATOR)
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="000000")
    notice = send_notice(db, bank.org_id)
    for outsider in (make_party(db, OrgKind.BANK), operator, regulator):
        assert _ids(client, outsider.headers) == []
        denied = client.post(f"/v1/notifications/{notice}/read", headers=outsider.headers)
        assert denied.status_code == 404, denied.text
        assert denied.headers["content-type"].startswith("application/problem+json")
    # Nor a colleague a notice addressed to someone else.
    colleague = another_principal(db, bank.org_id, Role.ADMIN)
    private = send_notice(db, bank.org_id, bank.principal_id)
    denied = client.post(f"/v1/notifications/{private}/read", headers=colleague.headers)
    assert denied.status_code == 404
    assert _ids(client, bank.headers, "?unread=true") == [private, notice]


def test_unknown_ids_and_no_key(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.post("/v1/notifications/999999/read", headers=bank.headers).status_code == 404
    assert client.get("/v1/notifications").status_code == 401
    assert client.post("/v1/notifications/1/read").status_code == 401


def test_an_auditor_marks_its_notices_read(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    auditor = another_principal(db, bank.org_id, Role.AUDITOR)
    notice = send_notice(db, bank.org_id)
    answer = client.post(f"/v1/notifications/{notice}/read", headers=auditor.headers)
    assert answer.status_code == 200, answer.text


def test_paging_with_before(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    ids = [send_notice(db, bank.org_id) for _ in range(3)]
    page = client.get("/v1/notifications?limit=2", headers=bank.headers).json()
    assert [i["id"] for i in page["items"]] == [ids[2], ids[1]]
    assert page["next_before"] == ids[1]
    assert _ids(client, bank.headers, f"?limit=2&before={ids[1]}") == [ids[0]]


def _log_size(db: Database) -> int:
    with db.session(readonly=True) as session:
        return len(session.scalars(select(LedgerEvent.leaf_index)).all())


def _email(db: Database, principal_id: int) -> str | None:
    with db.session(readonly=True) as session:
        return session.get_one(Principal, principal_id).email


def test_a_principal_sets_its_own_address_and_an_admin_its_colleagues(
    db: Database, client: TestClient
) -> None:
    bank = make_party(db, OrgKind.BANK)  # an admin
    clerk = another_principal(db, bank.org_id, Role.OPERATOR)
    own = client.put(
        f"/v1/principals/{clerk.principal_id}/email",
        json={"email": "Clerk@Bank.Example.CN"},
        headers=clerk.headers,
    )
    assert own.status_code == 200, own.text
    assert own.json()["email"] == "Clerk@bank.example.cn"
    assert own.json()["receipt"]["leaf_hash"]
    by_admin = client.put(
        f"/v1/principals/{clerk.principal_id}/email", json={"email": None}, headers=bank.headers
    )
    assert by_admin.status_code == 200 and _email(db, clerk.principal_id) is None
    listed = client.get(f"/v1/orgs/{bank.org_id}/principals", headers=bank.headers).json()
    assert {p["id"]: p["email"] for p in listed}[clerk.principal_id] is None


def test_setting_an_address_is_refused_to_others_and_when_invalid(
    db: Database, client: TestClient
) -> None:
    bank = make_party(db, OrgKind.BANK, role=Role.OPERATOR)
    colleague = another_principal(db, bank.org_id, Role.OPERATOR)
    stranger = make_party(db, OrgKind.BANK)  # an admin elsewhere
    url = f"/v1/principals/{colleague.principal_id}/email"
    body = {"email": "x@bank.example.cn"}
    assert client.put(url, json=body, headers=bank.headers).status_code == 403
    assert client.put(url, json=body, headers=stranger.headers).status_code == 404
    bad = client.put(url, json={"email": "not an address"}, headers=colleague.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "email"
    assert _email(db, colleague.principal_id) is None


def test_a_user_is_added_with_an_address(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    user = {"username": "new.clerk", "role": "operator", "password": "correct horse battery"}
    added = client.post(
        f"/v1/orgs/{bank.org_id}/users",
        json=user | {"email": "new.clerk@bank.example.cn"},
        headers=bank.headers,
    )
    assert added.status_code == 201, added.text
    assert added.json()["email"] == "new.clerk@bank.example.cn"
    refused = client.post(
        f"/v1/orgs/{bank.org_id}/users",
        json=user | {"username": "other.clerk", "email": "@bank"},
        headers=bank.headers,
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "email"
