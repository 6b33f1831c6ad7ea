"""Unknown, malformed and revoked API keys are security events; a missing key is not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials
from crossfin.parties.models import OrgKind
from support.parties import TEST_ACTOR, make_party
from support.security import events, row_text


def test_an_unknown_key_is_recorded_by_its_id_never_its_secret(
    client: TestClient, db: Database
) -> None:
    secret = "s3cr3t-never-stored-anywhere"
    answer = client.get("/v1/me", headers={"Authorization": f"Bearer cf_abc123_{secret}"})
    assert answer.status_code == 401
    [event] = events(db, "key_unknown")
    assert (event.key_id, event.route, event.address) == ("abc123", "/v1/me", "testclient")
    assert secret not in row_text(event)


def test_a_malformed_key_is_an_unknown_key_without_an_id(client: TestClient, db: Database) -> None:
    assert client.get("/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    [event] = events(db, "key_unknown")
    assert event.key_id is None and "malformed" in event.detail


def test_no_key_at_all_is_no_event(client: TestClient, db: Database) -> None:
    assert client.get("/v1/me").status_code == 401
    assert events(db) == []


def test_a_revoked_key_is_recorded_and_raises_an_alert(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    key_id = bank.key.split("_")[1]
    with UnitOfWork(db, TEST_ACTOR) as uow:
        credentials.revoke_key(uow, key_id)
        uow.commit()
    for _ in range(3):
        assert client.get("/v1/me", headers=bank.headers).status_code == 401
    recorded = events(db, "key_revoked")
    assert len(recorded) == 3 and {e.key_id for e in recorded} == {key_id}
    assert bank.key.split("_", 2)[2] not in row_text(recorded[0])


def test_a_revoked_key_on_the_registration_path_is_recorded(
    client: TestClient, db: Database
) -> None:
    # POST /v1/financings authenticates in its own pre-check (parties/http.precheck).
    bank = make_party(db, OrgKind.BANK)
    key_id = bank.key.split("_")[1]
    with UnitOfWork(db, TEST_ACTOR) as uow:
        credentials.revoke_key(uow, key_id)
        uow.commit()
    assert client.post("/v1/financings", json={}, headers=bank.headers).status_code == 401
    assert [e.key_id for e in events(db, "key_revoked")] == [key_id]
