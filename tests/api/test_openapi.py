"""The OpenAPI document is complete: every operation has a summary, every body an example."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


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
        if path.startswith("/v1")
        for op in ops.values()
    )
