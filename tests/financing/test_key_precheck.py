"""Grouped registrations pre-check the key on the request and authenticate it again in the
batch's transaction: whatever changed since this process last saw the key, the batch's own
check decides, and a refused request writes nothing."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select, update

from crossfin.core.clock import utcnow
from crossfin.financing.models import Financing
from crossfin.parties.access import Caller
from crossfin.parties.credentials import present
from crossfin.parties.keycache import VerifiedKeys
from crossfin.parties.models import ApiKey, OrgKind, Principal, Role
from support.financing import application, balance_row, declaration, make_firms
from support.security import events as security_events


def financings(db) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Financing))


def change(db, statement) -> None:
    with db.session() as session, session.begin():
        session.execute(statement)


@pytest.fixture
def cached(client, db):
    """A bank whose maker registered once, so this process remembers its key."""
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    first = client.post(
        "/v1/financings", headers=firms.banks[0].headers, json=application(firms, [doc], "10.00")
    )
    assert first.status_code == 201, first.json()
    return firms, doc


def test_a_key_revoked_after_it_was_cached_is_refused_in_the_batch(client, db, cached):
    firms, doc = cached
    maker = firms.banks[0]
    change(
        db,
        update(ApiKey).where(ApiKey.principal_id == maker.principal_id).values(revoked_at=utcnow()),
    )
    for _ in range(2):  # refused by the batch, then (dropped from the cache) by the request
        response = client.post(
            "/v1/financings", headers=maker.headers, json=application(firms, [doc], "10.00")
        )
        assert response.status_code == 401
        assert response.json()["type"].endswith("/unauthenticated")
        assert "revoked" in response.json()["detail"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert financings(db) == 1 and balance_row(db, doc) == (1000, 0)
    # Both refusals are security events: the batch's own and the request's.
    key_id = maker.key.split("_")[1]
    assert [e.key_id for e in security_events(db, "key_revoked")] == [key_id, key_id]


def test_a_principal_disabled_after_caching_is_refused(client, db, cached):
    firms, doc = cached
    change(
        db,
        update(Principal).where(Principal.id == firms.banks[0].principal_id).values(active=False),
    )
    response = client.post(
        "/v1/financings", headers=firms.banks[0].headers, json=application(firms, [doc], "10.00")
    )
    assert response.status_code == 401 and "disabled" in response.json()["detail"]
    assert financings(db) == 1


def test_a_maker_made_approver_after_caching_gets_403(client, db, cached):
    firms, doc = cached
    change(
        db,
        update(Principal)
        .where(Principal.id == firms.banks[0].principal_id)
        .values(role=Role.APPROVER.value),
    )
    response = client.post(
        "/v1/financings", headers=firms.banks[0].headers, json=application(firms, [doc], "10.00")
    )
    assert response.status_code == 403
    assert financings(db) == 1


def test_an_approver_made_maker_is_not_held_back_by_the_cache(client, db):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    checker = firms.checkers[0]
    body = application(firms, [doc], "10.00")
    assert client.post("/v1/financings", headers=checker.headers, json=body).status_code == 403
    change(
        db,
        update(Principal)
        .where(Principal.id == checker.principal_id)
        .values(role=Role.OPERATOR.value),
    )
    response = client.post("/v1/financings", headers=checker.headers, json=body)
    assert response.status_code == 201, response.json()


def test_unknown_keys_are_401_before_the_body_is_read(client, db):
    firms = make_firms(db)
    key_id = firms.banks[0].key.split("_")[1]
    for token in ("nonsense", f"cf_{key_id}_wrongsecret", "cf_ffffffffffff_x"):
        response = client.post(
            "/v1/financings",
            json={"not": "a financing"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, token
    assert client.post("/v1/financings", json={}).status_code == 401
    assert financings(db) == 0


def test_a_bogus_secret_for_a_cached_key_is_401(client, db, cached):
    firms, doc = cached
    key_id = firms.banks[0].key.split("_")[1]
    response = client.post(
        "/v1/financings",
        json=application(firms, [doc], "10.00"),
        headers={"Authorization": f"Bearer cf_{key_id}_wrongsecret"},
    )
    assert response.status_code == 401
    assert financings(db) == 1


def caller(n: int) -> Caller:
    return Caller(n, "svc", Role.OPERATOR, n, OrgKind.BANK, None)


def test_verified_keys_match_the_secret_expire_and_stay_bounded(monkeypatch):
    keys = VerifiedKeys(ttl=60, size=2)
    good = present("cf_aaaa_secret")
    keys.put(good, caller(1))
    assert keys.get(good) == caller(1)
    assert keys.get(present("cf_aaaa_other")) is None  # same id, another secret
    keys.put(present("cf_bbbb_s"), caller(2))
    keys.put(present("cf_cccc_s"), caller(3))  # the least recently used (aaaa) goes
    assert keys.get(good) is None and keys.get(present("cf_cccc_s")) == caller(3)
    keys.discard("cccc")
    assert keys.get(present("cf_cccc_s")) is None
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert keys.get(present("cf_bbbb_s")) is None  # older than the TTL
