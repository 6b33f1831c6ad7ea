"""Payments over HTTP: submission, template uploads (CSV and XLSX), reads, transitions."""

from __future__ import annotations

import csv
import io
import zipfile

from crossfin.parties.models import OrgKind, Role
from crossfin.payments import template
from support.financing import balance_row
from support.parties import another_principal, make_party
from support.payments import as_csv, as_xlsx, freight_invoice, make_forwarders, payment_body, row


def test_submit_then_a_second_bank_gets_409(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=2)
    doc = freight_invoice(db, fw)
    body = payment_body(fw, [doc])
    first = client.post("/v1/payments", json=body, headers=fw.banks[0].headers)
    assert first.status_code == 201, first.text
    data = first.json()
    assert data["state"] == "submitted" and data["usd_equivalent"] == "1000.00"
    assert data["receipt"]["leaf_index"] is not None
    assert data["documents"] == [
        {
            "kind": "vat_invoice",
            "key": doc.key,
            "used": "8480.00",
            "currency": "CNY",
            "active": True,
        }
    ]
    second = client.post("/v1/payments", json=payment_body(fw, [doc]), headers=fw.banks[1].headers)
    assert second.status_code == 409
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["type"] == "https://crossfin.dev/problems/already-used"
    assert second.json()["document"] == {"kind": "vat_invoice", "key": doc.key}


def test_idempotency_key_replays(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    body = payment_body(fw, [doc])
    headers = fw.banks[0].headers | {"Idempotency-Key": "k-1"}
    first = client.post("/v1/payments", json=body, headers=headers)
    again = client.post("/v1/payments", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    other = client.post("/v1/payments", json=payment_body(fw, [doc]), headers=headers)
    assert other.status_code == 409 and other.json()["type"].endswith("/idempotency-conflict")


def test_csv_upload_with_row_results(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=2)
    docs = [freight_invoice(db, fw) for _ in range(3)]
    client.post("/v1/payments", json=payment_body(fw, [docs[2]]), headers=fw.banks[1].headers)
    rows = [
        row(fw, docs[0], "U-1"),
        row(fw, docs[1], "U-2", inv_amount="1.00"),
        row(fw, docs[2], "U-3"),
        row(fw, docs[0], "U-4", amount="abc"),
    ]
    res = client.post(
        "/v1/payments/uploads",
        content=as_csv(rows),
        headers=fw.banks[0].headers | {"Content-Type": "text/csv"},
    )
    assert res.status_code == 200, res.text
    data = res.json()
    assert (data["rows"], data["submitted"], data["refused"], data["invalid"]) == (4, 1, 1, 2)
    outcomes = {r["external_ref"]: (r["row"], r["outcome"], r["problem"]) for r in data["results"]}
    assert outcomes == {
        "U-1": (2, "submitted", None),
        "U-2": (3, "invalid", "validation"),
        "U-3": (4, "refused", "already-used"),
        "U-4": (5, "invalid", "validation"),
    }
    assert balance_row(db, docs[0]) == (docs[0].value_minor, 0)
    assert balance_row(db, docs[1]) == (0, 0)
    again = client.post(
        "/v1/payments/uploads?results=csv",
        content=as_csv([row(fw, docs[1], "U-5")]),
        headers=fw.banks[0].headers | {"Content-Type": "text/csv"},
    )
    assert again.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(again.text)))
    assert lines[0]["row"] == "2" and lines[0]["outcome"] == "submitted"


def test_xlsx_upload(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    docs = [freight_invoice(db, fw) for _ in range(2)]
    res = client.post(
        "/v1/payments/uploads?format=xlsx",
        content=as_xlsx([row(fw, d, f"X-{i}") for i, d in enumerate(docs)]),
        headers=fw.banks[0].headers,
    )
    assert res.status_code == 200, res.text
    assert res.json()["submitted"] == 2


def test_bounded_templates(client, db, monkeypatch):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    headers = fw.banks[0].headers
    monkeypatch.setattr(template, "MAX_ROWS", 3)
    many = as_csv([row(fw, doc, f"M-{i}") for i in range(4)])
    res = client.post("/v1/payments/uploads?format=csv", content=many, headers=headers)
    assert res.status_code == 422 and "at most 3 rows" in res.text
    res = client.post(
        "/v1/payments/uploads?format=xlsx",
        content=as_xlsx([row(fw, doc, f"M-{i}") for i in range(4)]),
        headers=headers,
    )
    assert res.status_code == 422 and "at most 3 rows" in res.text
    long_cell = as_csv([[*row(fw, doc, "L-1")[:-1], "9" * 201]])
    res = client.post("/v1/payments/uploads?format=csv", content=long_cell, headers=headers)
    assert res.status_code == 422 and "over 200 characters" in res.text
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (65 * 1024 * 1024))
    res = client.post("/v1/payments/uploads?format=xlsx", content=bomb.getvalue(), headers=headers)
    assert res.status_code == 422 and "unpacks too large" in res.text
    res = client.post("/v1/payments/uploads?format=xlsx", content=b"not a zip", headers=headers)
    assert res.status_code == 422
    nul = b"external_ref\n\x00\n"  # a row answered invalid, never a 5xx
    res = client.post("/v1/payments/uploads?format=csv", content=nul, headers=headers)
    assert res.status_code == 200 and res.json()["invalid"] == 1, res.text
    huge = b"external_ref\n" + b"9" * 200_000 + b"\n"  # past the CSV reader's own limit
    res = client.post("/v1/payments/uploads?format=csv", content=huge, headers=headers)
    assert res.status_code == 422, res.text
    too_big = b"a" * (8 * 1024 * 1024 + 1)
    res = client.post("/v1/payments/uploads?format=csv", content=too_big, headers=headers)
    assert res.status_code == 413


def test_reads_are_authorized(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=2)
    doc = freight_invoice(db, fw)
    pid = client.post(
        "/v1/payments", json=payment_body(fw, [doc]), headers=fw.banks[0].headers
    ).json()["id"]
    outsider = make_party(db, OrgKind.REGULATOR, Role.OPERATOR, jurisdiction="110000")
    for party, seen in (
        (fw.banks[0], True),
        (fw.payer, True),
        (fw.regulator, True),
        (fw.banks[1], False),
        (outsider, False),
    ):
        one = client.get(f"/v1/payments/{pid}", headers=party.headers)
        assert one.status_code == (200 if seen else 404), (party, one.text)
        listed = client.get("/v1/payments", headers=party.headers).json()["items"]
        assert [p["id"] for p in listed] == ([pid] if seen else [])
    mine = client.get(f"/v1/payments?invoice={doc.key}", headers=fw.payer.headers).json()
    assert mine["items"][0]["documents"][0]["key"] == doc.key


def test_transitions_over_http(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    pid = client.post(
        "/v1/payments", json=payment_body(fw, [doc]), headers=fw.banks[0].headers
    ).json()["id"]
    auditor = another_principal(db, fw.banks[0].org_id, Role.AUDITOR)
    res = client.post(f"/v1/payments/{pid}/approve", json={}, headers=auditor.headers)
    assert res.status_code == 403
    res = client.post(f"/v1/payments/{pid}/approve", json={}, headers=fw.checkers[0].headers)
    assert res.status_code == 200 and res.json()["state"] == "approved"
    assert client.post(f"/v1/payments/{pid}/pay", headers=fw.banks[0].headers).status_code == 200
    res = client.post(
        f"/v1/payments/{pid}/cancel", json={"reason": "late"}, headers=fw.banks[0].headers
    )
    assert res.status_code == 409 and res.json()["type"].endswith("/illegal-transition")
    res = client.post(
        f"/v1/payments/{pid}/return", json={"reason": "closed"}, headers=fw.banks[0].headers
    )
    assert res.json()["state"] == "returned" and res.json()["documents"][0]["active"] is False
    assert balance_row(db, doc) == (0, 0)


def test_gates_and_scopes_over_http(client, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=1)
    head = make_party(db, OrgKind.REGULATOR, Role.ADMIN, jurisdiction="000000")
    assert client.get("/v1/class-gates", headers=fw.banks[0].headers).json()["version"] == 0
    change = {"changes": [{"scenario": "P3", "trade_class": "B", "treatment": "refused"}],
              "reason": "pilot"}  # fmt: skip
    assert (
        client.post("/v1/class-gates", json=change, headers=fw.banks[0].headers).status_code == 403
    )
    res = client.post("/v1/class-gates", json=change, headers=head.headers)
    assert res.status_code == 200 and res.json()["rules"]["P3"]["B"] == "refused"
    res = client.post(
        "/v1/payment-scopes/P3", json={"codes": ["450700"], "reason": "Qinzhou pilot"},
        headers=head.headers,
    )  # fmt: skip
    assert res.status_code == 200, res.text
    doc = freight_invoice(db, fw)
    res = client.post("/v1/payments", json=payment_body(fw, [doc]), headers=fw.banks[0].headers)
    assert res.status_code == 403 and res.json()["type"].endswith("/out-of-scope")
    res = client.post(
        "/v1/payment-scopes/P3", json={"codes": ["440000"], "reason": "Guangdong"},
        headers=head.headers,
    )  # fmt: skip
    res = client.post("/v1/payments", json=payment_body(fw, [doc]), headers=fw.banks[0].headers)
    assert res.status_code == 201
