"""Failed and throttled logins are security events; one user's failures behind a shared
address (a NAT) lock that user there, not everyone behind it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind
from crossfin.parties.throttle import PER_IP, PER_USER_AND_IP, LoginThrottle
from support.security import events, row_text
from support.web import add_user, login, party_user

WRONG = "wrong-password-typed-here"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0
    return settings


def _principal_id(db: Database, username: str) -> int:
    from sqlalchemy import select

    from crossfin.parties.models import Principal

    with db.session(readonly=True) as session:
        return session.scalars(select(Principal.id).where(Principal.username == username)).one()


def test_a_failed_login_is_recorded_without_the_name_or_password_typed(
    client: TestClient, db: Database
) -> None:
    _, name = party_user(db, OrgKind.BANK)
    assert login(client, name, WRONG).status_code == 401
    assert login(client, "no-such-user-typed", WRONG).status_code == 401
    known, unknown = events(db, "login_failed")
    assert (known.principal_id, known.address, known.route) == (
        _principal_id(db, name),
        "testclient",
        "/login",
    )
    assert unknown.principal_id is None and '"known_user": false' in unknown.detail
    for row in (known, unknown):
        assert WRONG not in row_text(row) and "no-such-user-typed" not in row_text(row)


def test_a_throttled_login_is_recorded(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    for _ in range(PER_USER_AND_IP):
        login(client, name, WRONG)
    assert login(client, name, WRONG).status_code == 429
    [event] = events(db, "login_throttled")
    assert event.principal_id == _principal_id(db, name) and "retry_after" in event.detail


def test_one_users_failures_do_not_lock_the_others_behind_the_same_address(
    client: TestClient, db: Database
) -> None:
    org_id, guessed = party_user(db, OrgKind.BANK)
    colleagues = [add_user(db, org_id) for _ in range(3)]
    for _ in range(PER_USER_AND_IP):
        login(client, guessed, WRONG)
    assert login(client, guessed, WRONG).status_code == 429  # that user, from that address
    for name in colleagues:  # the same client address (one NAT), other users: not locked
        with TestClient(client.app) as colleague:
            assert login(colleague, name).status_code == 303


def test_the_address_ceiling_is_far_above_one_users_limit(db: Database) -> None:
    # Many users behind one address may each mistype a few times before the address as a
    # whole is throttled (docs/operations.md, "Login throttling").
    throttle = LoginThrottle(db)
    for n in range(PER_IP - 1):
        throttle.failed(f"user{n}", "203.0.113.7")
    assert throttle.retry_after("someone-else", "203.0.113.7") == 0
    throttle.failed("user-last", "203.0.113.7")
    assert throttle.retry_after("someone-else", "203.0.113.7") > 0
    assert PER_IP >= 10 * PER_USER_AND_IP
