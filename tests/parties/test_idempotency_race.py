"""Concurrent twins with one Idempotency-Key: one change, one answer for all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.parties.models import ApiKey, OrgKind
from support.parties import make_party


def test_parallel_retries_create_one_key(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    headers = bank.headers | {"Idempotency-Key": "race-1"}

    def post(_: int) -> tuple[int, str]:
        response = client.post(
            "/v1/keys", json={"principal_id": bank.principal_id}, headers=headers
        )
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, range(16)))
    assert {status for status, _ in results} == {201}
    assert len({text for _, text in results}) == 1
    with db.session(readonly=True) as session:
        keys = session.scalar(
            select(func.count()).select_from(ApiKey).where(ApiKey.principal_id == bank.principal_id)
        )
    assert keys == 2  # the factory's key and exactly one issued here
