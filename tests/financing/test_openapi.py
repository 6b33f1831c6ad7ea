"""Every financing operation has a summary, and every input model an example."""

from __future__ import annotations

PREFIXES = (
    "/v1/financings",
    "/v1/balances",
    "/v1/financing-scenarios",
    "/v1/needs",
    "/v1/offers",
    "/v1/credit-queries",
    "/v1/fx-rates",
)


def test_financing_operations_are_documented(client):
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    seen = 0
    for path, operations in schema["paths"].items():
        if not path.startswith(PREFIXES):
            continue
        for method, operation in operations.items():
            seen += 1
            assert operation.get("summary"), f"{method} {path} has no summary"
            body = operation.get("requestBody")
            if body is None:
                continue
            if "application/json" not in body["content"]:  # an XML message (ISO 20022)
                examples = [media.get("example") for media in body["content"].values()]
                assert all(examples), f"{method} {path} has no example"
                continue
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert components[ref].get("examples"), f"{ref} ({method} {path}) has no example"
    assert seen >= 20
