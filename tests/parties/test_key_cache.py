"""The cache of verified API keys (parties/keycache.py): a cached key skips the query; a
change made in this process is seen at once, one made by another process within the TTL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, http
from crossfin.parties.keycache import TTL_SECONDS, VerifiedKeys
from crossfin.parties.models import ApiKey, OrgKind, Principal, Role
from support.parties import TEST_ACTOR, Party, make_party
from support.security import events


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(client: TestClient) -> Clock:
    """The app's key cache on a clock the test moves."""
    ticking = Clock()
    client.app.state.verified_keys = VerifiedKeys(clock=ticking)  # type: ignore[attr-defined]
    return ticking


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The key ids looked up in the database, in order."""
    seen: list[str] = []
    real = http.authenticate_key

    def counting(session, presented):  # type: ignore[no-untyped-def]
        seen.append(presented.key_id)
        return real(session, presented)

    monkeypatch.setattr(http, "authenticate_key", counting)
    return seen


def key_id(party: Party) -> str:
    return party.key.split("_")[1]


def behind_sqlalchemys_back(db: Database, sql: str, **params: object) -> None:
    """A change as another process makes it: on a raw driver connection, which no event
    of this process sees."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        placeholder = "%s" if db.dialect == "postgresql" else "?"
        cursor.execute(sql.replace("?", placeholder), tuple(params.values()))
        raw.commit()
    finally:
        raw.close()


def test_a_cached_key_is_not_looked_up_again(
    client: TestClient, db: Database, clock: Clock, lookups: list[str]
) -> None:
    bank = make_party(db, OrgKind.BANK)
    for _ in range(3):
        assert client.get("/v1/me", headers=bank.headers).status_code == 200
    assert lookups == [key_id(bank)]
    clock.now += TTL_SECONDS + 0.1  # expired: verified again, once
    for _ in range(2):
        assert client.get("/v1/me", headers=bank.headers).status_code == 200
    assert lookups == [key_id(bank)] * 2


def test_a_wrong_secret_for_a_cached_key_is_refused_and_recorded(
    client: TestClient, db: Database, clock: Clock
) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    forged = {"Authorization": f"Bearer cf_{key_id(bank)}_not-the-secret"}
    assert client.get("/v1/me", headers=forged).status_code == 401
    assert [e.key_id for e in events(db, "key_unknown")] == [key_id(bank)]
    assert client.get("/v1/me", headers=bank.headers).status_code == 200  # still good


def test_the_cache_keeps_no_clear_secret(client: TestClient, db: Database, clock: Clock) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    cache = client.app.state.verified_keys  # type: ignore[attr-defined]
    secret = bank.key.split("_", 2)[2]
    assert secret not in repr(cache._entries) and key_id(bank) in cache._entries


@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(lambda client, db, party: _revoke_by_api(client, party), id="api"),
        pytest.param(lambda client, db, party: _revoke_in_uow(db, party), id="uow"),
    ],
)
def test_a_key_revoked_in_this_process_is_refused_at_once(
    client: TestClient,
    db: Database,
    clock: Clock,
    revoke: Callable[[TestClient, Database, Party], None],
) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    revoke(client, db, bank)
    refused = client.get("/v1/me", headers=bank.headers)  # the clock has not moved
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert [e.key_id for e in events(db, "key_revoked")] == [key_id(bank)]


def _revoke_by_api(client: TestClient, party: Party) -> None:
    answer = client.post(f"/v1/keys/{key_id(party)}/revoke", headers=party.headers)
    assert answer.status_code == 200, answer.json()


def _revoke_in_uow(db: Database, party: Party) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        credentials.revoke_key(uow, key_id(party))
        uow.commit()


def test_a_principal_disabled_through_the_orm_is_refused_at_once(
    client: TestClient, db: Database, clock: Clock
) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    with db.session() as session, session.begin():
        session.get_one(Principal, bank.principal_id).active = False  # flushed on commit
    refused = client.get("/v1/me", headers=bank.headers)
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]


def test_a_role_lowered_in_this_process_applies_at_once(
    client: TestClient, db: Database, clock: Clock
) -> None:
    bank = make_party(db, OrgKind.BANK, role=Role.ADMIN)
    assert client.get("/v1/me", headers=bank.headers).json()["principal"]["role"] == "admin"
    with db.session() as session, session.begin():
        session.execute(
            update(Principal)
            .where(Principal.id == bank.principal_id)
            .values(role=Role.AUDITOR.value)
        )
    assert client.get("/v1/me", headers=bank.headers).json()["principal"]["role"] == "auditor"


def test_a_key_revoked_by_another_process_is_refused_within_the_ttl(
    client: TestClient, db: Database, clock: Clock
) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    behind_sqlalchemys_back(
        db, "UPDATE api_keys SET revoked_at = ? WHERE id = ?", at=utcnow(), id=key_id(bank)
    )
    with db.session(readonly=True) as session:
        assert session.scalar(select(ApiKey.revoked_at).where(ApiKey.id == key_id(bank)))
    # The bound: this process may still serve the key until its entry expires...
    clock.now += TTL_SECONDS - 0.5
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    # ...and never after.
    clock.now += 0.6
    refused = client.get("/v1/me", headers=bank.headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_the_bound_is_short() -> None:
    assert TTL_SECONDS <= 5  # the bound docs/api.md states


def test_last_use_is_still_recorded_when_keys_are_cached(
    client: TestClient, db: Database, clock: Clock
) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=bank.headers).status_code == 200
    with db.session(readonly=True) as session:
        used = session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id(bank)))
    assert used is not None
    # Recording the use changed no caller: the key stays cached.
    cache = client.app.state.verified_keys  # type: ignore[attr-defined]
    assert key_id(bank) in cache._entries
