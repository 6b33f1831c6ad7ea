"""Bounded input: body size per route class, JSON nesting, malformed JSON (issue 10)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from crossfin.api.limits import DEFAULT_LIMIT, limit_for
from crossfin.core.db import Database
from crossfin.core.jsonsafe import MAX_DEPTH, TooDeep, check_depth, depth, loads
from crossfin.parties.models import OrgKind, Role
from support.parties import make_party


@pytest.fixture
def bank_key(db: Database) -> str:
    return make_party(db, OrgKind.BANK, Role.OPERATOR).key


def test_depth_ignores_brackets_inside_strings() -> None:
    assert depth(b"3") == 0
    assert depth(b'[1, [2, {"a": [3]}]]') == 4
    assert depth('"[[[["') == 0
    assert depth(b'{"a\\"[[": 1}') == 1
    assert depth(b'{"a\\\\": [[1]]}') == 3
    assert depth("[" * 10_000 + "]" * 10_000) == 10_000


def test_loads_refuses_deep_nesting_before_parsing() -> None:
    with pytest.raises(TooDeep):
        loads("[" * 10_000 + "]" * 10_000)
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    check_depth("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_route_classes() -> None:
    assert limit_for("POST", "/v1/orgs") == ("default", DEFAULT_LIMIT)
    assert limit_for("PUT", "/v1/batches/b-1/lines")[0] == "batch-lines"
    assert limit_for("POST", "/v1/documents/verify")[0] == "bulk-verify"
    assert limit_for("GET", "/v1/documents/verify")[0] == "default"


def test_a_declared_oversized_body_is_refused_before_authentication(client: TestClient) -> None:
    body = b"x" * (DEFAULT_LIMIT + 1)
    answer = client.post("/v1/orgs", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 413  # not 401: the body is refused before the key is read
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/payload-too-large")


def test_a_chunked_oversized_body_is_refused_as_it_arrives(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"y" * (DEFAULT_LIMIT // 2)

    answer = client.post("/v1/orgs", content=chunks(), headers={"content-type": "text/plain"})
    assert answer.status_code == 413


def test_deep_json_is_a_400_problem_not_a_500(client: TestClient) -> None:
    answer = client.post(
        "/v1/orgs",
        content="[" * 10_000 + "]" * 10_000,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/json-too-deep")


def test_malformed_json_is_a_400_bad_request(client: TestClient, bank_key: str) -> None:
    answer = client.post(
        "/v1/documents/verify",
        content=b'{"items": [',
        headers={"content-type": "application/json", "authorization": f"Bearer {bank_key}"},
    )
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["type"].endswith("/bad-request")
    assert problem["errors"][0]["field"] == "body"


def test_a_body_within_limits_still_works(client: TestClient, bank_key: str) -> None:
    items = [{"kind": "customs_declaration", "key": f"53002026{i:010d}"} for i in range(2000)]
    answer = client.post(
        "/v1/documents/verify",
        content=json.dumps({"items": items}),
        headers={"content-type": "application/json", "authorization": f"Bearer {bank_key}"},
    )
    assert answer.status_code == 200, answer.text
