"""The headers a caching proxy in front of /v1/log relies on (docs/deployment.md, nginx).

A shared cache may keep a full tile for a year, a partial tile or checkpoint for a second,
an answer of a private log not at all, and never the 404 of something that will exist.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crossfin.api.app import create_app
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind
from support.ledger import fast_append, quiet_settings, sign
from support.parties import make_party

FULL = "/v1/log/tile/0/000"
PARTIAL = "/v1/log/tile/0/001.p/44"


def _client(conf: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(conf, db), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def public_api(settings: Settings, db: Database) -> Iterator[TestClient]:
    conf = quiet_settings(settings).model_copy(update={"log_public": True})
    yield from _client(conf, db)


def _shared_cache_safe(headers: object) -> None:
    # nginx does not store an answer that sets a cookie, and keeps one copy per Vary value.
    assert "set-cookie" not in headers  # type: ignore[operator]
    assert "vary" not in headers  # type: ignore[operator]


def test_full_tiles_are_immutable_for_shared_caches(public_api: TestClient, db: Database) -> None:
    fast_append(db, 300)
    full = public_api.get(FULL)
    assert full.status_code == 200
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert full.headers["etag"].startswith('"') and len(full.headers["etag"]) == 66
    _shared_cache_safe(full.headers)
    # A participant's key does not change the answer, so one cached copy serves everyone.
    keyed = public_api.get(FULL, headers={"If-None-Match": full.headers["etag"]})
    assert keyed.status_code == 304


def test_partial_tiles_and_checkpoints_are_fresh_for_a_second(
    public_api: TestClient, db: Database, settings: Settings
) -> None:
    fast_append(db, 300)
    sign(db, quiet_settings(settings))
    for path in (PARTIAL, "/v1/log/tile/1/000.p/1", "/v1/log/checkpoint"):
        answer = public_api.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "public, max-age=1", path
        _shared_cache_safe(answer.headers)


@pytest.mark.parametrize(
    "path", ["/v1/log/tile/0/001", "/v1/log/tile/0/001.p/45", "/v1/log/receipts/299"]
)
def test_what_does_not_exist_yet_is_not_stored(
    public_api: TestClient, db: Database, path: str
) -> None:
    fast_append(db, 300)
    answer = public_api.get(path)
    assert answer.status_code == 404
    assert answer.headers["cache-control"] == "no-store"


def test_no_checkpoint_yet_is_not_stored(public_api: TestClient) -> None:
    answer = public_api.get("/v1/log/checkpoint")
    assert answer.status_code == 404
    assert answer.headers["cache-control"] == "no-store"


def test_a_private_logs_tiles_stay_out_of_shared_caches(settings: Settings, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    fast_append(db, 300)
    for client in _client(quiet_settings(settings), db):
        assert client.get(FULL).status_code == 401
        full = client.get(FULL, headers=bank.headers)
        assert full.headers["cache-control"] == "private, max-age=31536000, immutable"
        partial = client.get(PARTIAL, headers=bank.headers)
        assert partial.headers["cache-control"] == "private, max-age=1"
