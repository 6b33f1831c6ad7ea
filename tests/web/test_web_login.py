"""Portal login, logout, sessions, CSRF and throttling, through HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.core.web.session import SESSION_COOKIE
from crossfin.parties.models import LoginFailure, OrgKind, PortalLogin, Principal
from crossfin.parties.throttle import PER_USER_AND_IP, LoginThrottle
from support.web import PASSWORD, csrf_from, login, party_user


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.checkpoint_interval = 0  # no background signer: these tests read the log alone
    return settings


def test_anonymous_visitor_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/ledger?index=3", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fledger%3Findex%3D3"


def test_login_page_sets_a_hardened_session_cookie(client: TestClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_secure_cookies_setting_marks_the_cookie_secure(
    client: TestClient, settings: Settings
) -> None:
    settings.secure_cookies = True
    assert "Secure" in client.get("/login").headers["set-cookie"]


def test_login_success_shows_home_and_returns_to_next(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.ENTERPRISE)
    token = csrf_from(client.get("/login?next=/ledger").text)
    response = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/ledger"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ledger"
    # A new session at login: the anonymous CSRF token is not reused (fixation).
    home = client.get("/")
    assert home.status_code == 200
    assert name in home.text
    assert csrf_from(home.text) != token


def test_next_cannot_leave_the_site(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": name,
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_unknown_user_and_wrong_password_get_the_same_answer(
    client: TestClient, db: Database
) -> None:
    _, name = party_user(db, OrgKind.BANK)
    wrong = login(client, name, "not the password")
    unknown = login(client, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password." in wrong.text
    message = wrong.text.split('data-test="login-error">')[1].split("<")[0]
    assert message == unknown.text.split('data-test="login-error">')[1].split("<")[0]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_repeated_failures_are_throttled(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    for _ in range(PER_USER_AND_IP):
        assert login(client, name, "guess").status_code == 401
    blocked = login(client, name, PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert client.get("/", follow_redirects=False).status_code == 303


def test_throttle_window_slides_and_success_clears(db: Database) -> None:
    now = [datetime(2026, 11, 27, 9, 0, tzinfo=UTC)]
    throttle = LoginThrottle(db, clock=lambda: now[0])
    for _ in range(PER_USER_AND_IP):
        throttle.failed("Alice", "10.0.0.1")
        now[0] += timedelta(seconds=10)
    # The first of the five failures leaves the window 900 s after it happened.
    assert throttle.retry_after("alice", "10.0.0.1") == 900 - 50
    assert throttle.retry_after("alice", "10.0.0.2") == 0  # another address is not blocked
    now[0] += timedelta(seconds=851)
    assert throttle.retry_after("alice", "10.0.0.1") == 0
    throttle.failed("bob", "10.0.0.1")
    throttle.succeeded("bob", "10.0.0.1")
    assert throttle.retry_after("bob", "10.0.0.1") == 0


def test_throttle_counts_are_shared_by_every_worker(db: Database) -> None:
    # Two workers are two throttles over one database: failures seen by either count.
    first, second = LoginThrottle(db), LoginThrottle(db)
    for n in range(PER_USER_AND_IP):
        (first if n % 2 else second).failed("carol", "10.0.0.9")
    assert first.retry_after("carol", "10.0.0.9") > 0
    assert second.retry_after("Carol ", "10.0.0.9") > 0


def test_throttle_keeps_no_names_or_addresses_in_clear(db: Database) -> None:
    LoginThrottle(db).failed("dave.secret-name", "192.0.2.77")
    with db.session(readonly=True) as session:
        keys = list(session.scalars(select(LoginFailure.key)))
    assert keys and not any("dave" in k or "192.0.2" in k for k in keys)


def test_old_failures_are_dropped(db: Database) -> None:
    now = [datetime(2026, 11, 27, 9, 0, tzinfo=UTC)]
    throttle = LoginThrottle(db, clock=lambda: now[0])
    throttle.failed("erin", "10.0.0.3")
    now[0] += timedelta(minutes=16)
    throttle.failed("frank", "10.0.0.4")
    with db.session(readonly=True) as session:
        left = session.scalar(
            select(func.count()).select_from(LoginFailure).where(LoginFailure.at < now[0])
        )
    assert left == 0


def test_logout_ends_the_session(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    token = csrf_from(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303
    assert "You have logged out." in client.get("/login").text


def test_a_copy_of_the_cookie_dies_with_the_logout(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    copied = client.cookies.get(SESSION_COOKIE)
    token = csrf_from(client.get("/").text)
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, copied)  # e.g. taken from the browser before
    assert client.get("/", follow_redirects=False).status_code == 303
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(PortalLogin)) == 0


def test_each_login_is_its_own(client: TestClient, db: Database, app) -> None:
    # Logging out in one browser leaves the same user's other login alone.
    _, name = party_user(db, OrgKind.BANK)
    with TestClient(app) as other:
        login(other, name)
        login(client, name)
        token = csrf_from(client.get("/").text)
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert other.get("/", follow_redirects=False).status_code == 200


def test_post_without_csrf_token_is_refused(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    for form in ({}, {"csrf_token": "forged"}):
        response = client.post("/logout", data=form, follow_redirects=False)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "did not come from this site" in response.text
    assert client.get("/", follow_redirects=False).status_code == 200  # still logged in


def test_login_itself_needs_the_csrf_token(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    client.get("/login")
    response = client.post(
        "/login", data={"username": name, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403


def test_htmx_posts_carry_the_token_in_a_header(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    token = csrf_from(client.get("/").text)
    headers = {"HX-Request": "true"}
    refused = client.post("/ledger/verify", data={"bundle": "x"}, headers=headers)
    assert refused.status_code == 403
    answered = client.post(
        "/ledger/verify", data={"bundle": "x"}, headers=headers | {"X-CSRF-Token": token}
    )
    assert answered.status_code == 200
    assert 'data-test="verify-bad"' in answered.text


def test_disabling_the_principal_ends_its_sessions(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    assert client.get("/", follow_redirects=False).status_code == 200
    with db.engine.begin() as conn:
        conn.execute(update(Principal).where(Principal.username == name).values(active=False))
    assert client.get("/", follow_redirects=False).status_code == 303
    assert login(client, name).status_code == 401


def test_changing_the_password_ends_other_sessions(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    with db.engine.begin() as conn:
        conn.execute(
            update(Principal)
            .where(Principal.username == name)
            .values(password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        )
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_tampered_cookie_is_ignored(client: TestClient, db: Database) -> None:
    _, name = party_user(db, OrgKind.BANK)
    login(client, name)
    value = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_service_accounts_cannot_log_in(client: TestClient, db: Database) -> None:
    from support.parties import make_party

    party = make_party(db, OrgKind.BANK)  # a service account named svc-N, no password
    with db.session(readonly=True) as session:
        svc = session.get_one(Principal, party.principal_id)
    assert login(client, svc.name, "").status_code == 401
