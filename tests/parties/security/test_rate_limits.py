"""Per-key rate limits: 429 with Retry-After, per route class, shared by every app on a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crossfin.api.app import create_app
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind
from crossfin.parties.security.ratelimit import RateLimiter, rate_class
from support.parties import make_party
from support.security import events

PROBLEMS = "https://crossfin.dev/problems/"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "checkpoint_interval": 0,
            "rate_limit_read": 3,
            "rate_limit_write": 2,
            "rate_limit_registration": 1,
            "rate_limit_window_seconds": 3600,  # no window ends during a test
        }
    )


@pytest.fixture
def second_client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """Another app on the same database: another worker, another host."""
    with TestClient(create_app(settings, db), raise_server_exceptions=False) as other:
        yield other


def test_a_key_over_its_read_limit_gets_429_with_retry_after(
    client: TestClient, db: Database
) -> None:
    bank = make_party(db, OrgKind.BANK)
    assert [client.get("/v1/me", headers=bank.headers).status_code for _ in range(3)] == [200] * 3
    refused = client.get("/v1/me", headers=bank.headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["type"] == PROBLEMS + "rate-limited" and body["route_class"] == "read"
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 3600 and body["retry_after"] == wait
    # Another key is not affected; refusals go on and make one event per window.
    other = make_party(db, OrgKind.BANK)
    assert client.get("/v1/me", headers=other.headers).status_code == 200
    assert client.get("/v1/me", headers=bank.headers).status_code == 429
    [event] = events(db, "rate_limited")
    assert event.key_id == bank.key.split("_")[1] and event.principal_id == bank.principal_id


def test_two_apps_on_one_database_share_the_limit(
    client: TestClient, second_client: TestClient, db: Database
) -> None:
    bank = make_party(db, OrgKind.BANK)
    answers = [
        (client if n % 2 else second_client).get("/v1/me", headers=bank.headers).status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    assert second_client.get("/v1/me", headers=bank.headers).status_code == 429
    assert client.get("/v1/me", headers=bank.headers).status_code == 429


def test_route_classes_have_their_own_limits(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    for _ in range(3):
        assert client.get("/v1/me", headers=bank.headers).status_code == 200
    assert client.get("/v1/me", headers=bank.headers).status_code == 429
    # Reads are spent; writes have their own allowance (2 here), then 429 as well.
    writes = [
        client.post("/v1/keys", json={"principal_id": bank.principal_id}, headers=bank.headers)
        for _ in range(3)
    ]
    assert [w.status_code for w in writes] == [201, 201, 429]
    assert writes[2].json()["route_class"] == "write"


def test_registrations_are_limited_on_their_own_path(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    first = client.post("/v1/financings", json={}, headers=bank.headers)
    assert first.status_code == 422  # allowed through, then refused for its body
    second = client.post("/v1/financings", json={}, headers=bank.headers)
    assert second.status_code == 429 and second.json()["route_class"] == "registration"
    assert "Retry-After" in second.headers


def test_requests_are_classed_by_method_and_path() -> None:
    assert rate_class("POST", "/v1/financings") == "registration"
    assert rate_class("POST", "/v1/documents/verify") == "bulk"
    assert rate_class("PUT", "/v1/batches/b-1/lines") == "bulk"
    assert rate_class("GET", "/v1/financings") == "read"
    assert rate_class("POST", "/v1/financings/3/approve") == "write"


def test_workers_take_allowances_in_blocks(db: Database, tmp_path: Path) -> None:
    # Two limiters (two workers) on one database: 100 a window, blocks of 2.
    clock = [7200.0]
    one, two = (RateLimiter(db, {"read": 100}, 60, clock=lambda: clock[0]) for _ in range(2))
    granted = 0
    for n in range(120):
        limiter = one if n % 3 else two
        if limiter.check("k1", "read") is None:
            granted += 1
    assert granted == 100
    assert one.local("k1", "read") is not None  # decided locally now: no database trip
    clock[0] += 60  # the next window starts afresh
    assert one.check("k1", "read") is None
