"""Every payment operation has a summary, every input model an example; no 5xx on odd input."""

from __future__ import annotations

from support.payments import freight_invoice, make_forwarders, payment_body

PREFIXES = ("/v1/payments", "/v1/class-gates", "/v1/payment-scopes")


def test_payment_operations_are_documented(client):  # type: ignore[no-untyped-def]
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
            if body is None or "application/json" not in body["content"]:
                continue
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert components[ref].get("examples"), f"{ref} ({method} {path}) has no example"
    assert seen >= 13


def test_extreme_rates_are_refused_not_overflowed(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    for rate in ("9e999998", "1e-999998", "0", "-1", "NaN", "x"):
        body = payment_body(fw, [doc], fx_rates={"USD/CNY": rate})
        res = client.post("/v1/payments", json=body, headers=fw.banks[0].headers)
        assert res.status_code == 422, (rate, res.text)
