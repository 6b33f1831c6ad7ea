"""The OpenAPI document is complete (a summary per operation, an example per body) and
documents the answers the API gives (tests/api/test_fuzz.py checks them at large)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from support.parties import make_party


def _has_example(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    if "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    return bool(schema.get("examples") or schema.get("example"))


def test_every_operation_is_documented_with_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    missing, unnamed = [], []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not operation.get("summary"):
                unnamed.append(f"{method.upper()} {path}")
            body = operation.get("requestBody")
            if body and not any(
                _has_example(media.get("schema", {}), components)
                or media.get("example")
                or media.get("examples")
                for media in body.get("content", {}).values()
            ):
                missing.append(f"{method.upper()} {path}")
    assert not unnamed, f"operations without a summary: {unnamed}"
    assert not missing, f"request bodies without an example: {missing}"
    assert all(
        op.get("security")
        for path, ops in spec["paths"].items()
        if path.startswith("/v1") and not path.startswith("/v1/public/")
        for op in ops.values()
    )


# -- the description matches the answers (the fuzz in test_fuzz.py checks them at large) --

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_refusals_are_documented_where_they_are_answered(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, op in _operations(spec):
        codes = set(op["responses"])
        if path.startswith("/v1/public/"):  # no key: the register of licence decisions
            assert "401" not in codes and "429" in codes, f"{method} {path}"
            continue
        if path.startswith("/v1/"):
            assert "401" in codes, f"{method} {path}"
        if path.startswith("/v1/") and method in ("post", "put"):
            assert {"403", "413"} <= codes, f"{method} {path}"
        if path.startswith("/v1/") and "{" in path:
            assert "404" in codes, f"{method} {path}"
    paths = spec["paths"]
    assert "403" in paths["/v1/alerts"]["get"]["responses"]
    assert "409" in paths["/v1/financings/{financing_id}/approve"]["post"]["responses"]
    lines = paths["/v1/batches/{ref}/lines"]["post"]["responses"]["413"]["description"]
    assert "batch-lines: 64 MiB" in lines
    assert "default: 1 MiB" in paths["/v1/orgs"]["post"]["responses"]["413"]["description"]


def test_every_error_is_documented_as_problem_json(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for method, path, op in _operations(spec):
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"] == PROBLEM, f"{method} {path} {status}"
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert {"type", "title", "status", "detail", "errors"} <= set(schemas["Problem"]["properties"])


def test_a_422_answer_is_the_documented_problem(client: TestClient, db: Database) -> None:
    spec = client.get("/openapi.json").json()
    documented = spec["paths"]["/v1/orgs/{org_id}"]["get"]["responses"]["422"]["content"]
    answer = client.get("/v1/orgs/x", headers=make_party(db, OrgKind.BANK).headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] in documented
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) <= set(answer.json())
    assert [e["field"] for e in answer.json()["errors"]] == ["path.org_id"]


def test_non_json_answers_are_documented_with_their_media_types(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def media(path: str) -> set[str]:
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert media("/metrics") == {client.get("/metrics").headers["content-type"]}
    assert media("/v1/verification-requests/{request_id}/results.csv") == {"text/csv"}
    assert media("/v1/batches/{ref}/report.csv") == {"text/csv"}
    assert media("/v1/log/checkpoint") == {"text/plain"}
    assert media("/v1/log/tile/{path}") == {"application/octet-stream"}
    lines = paths["/v1/batches/{ref}/lines"]["post"]["requestBody"]["content"]
    assert set(lines) == {"application/x-ndjson", "text/csv"}


def test_a_405_allows_every_method_of_its_path(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        # Ids are numbers (an id route may take only digits: `/v1/payments/uploads`).
        url = re.sub(r"\{[a-z_]+\}", "1", path.replace("{path}", "0/0"))
        documented = {m.upper() for m in operations}
        unsupported = next(m for m in ("DELETE", "PATCH", "PUT") if m not in documented)
        answer = client.request(unsupported, url)
        assert answer.status_code == 405, f"{unsupported} {path}"
        allowed = {m.strip() for m in answer.headers["allow"].split(",")}
        assert allowed == documented, f"{unsupported} {path}"
