"""What reviewing the authorization matrix found, each proved on its own."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.financing import declaration, make_firms
from support.ingest import jsonl, manifest_for, record, register_source_key
from support.parties import another_principal, make_party
from support.web import add_user, csrf_from, login


def test_a_sources_approver_neither_sends_lines_nor_publishes(
    client: TestClient, db: Database
) -> None:
    customs = make_party(db, OrgKind.CUSTOMS)
    approver = another_principal(db, customs.org_id, Role.APPROVER)
    signer = register_source_key(client, customs.headers)
    rows = [record("customs_declaration")]
    manifest = manifest_for("customs_declaration", "b-1", rows, signer)
    opened = client.post("/v1/batches", json={"manifest": manifest}, headers=customs.headers)
    assert opened.status_code == 201, opened.text
    # Registering needs an admin or operator; sending the lines needed nothing more.
    lines = client.post(
        "/v1/batches/b-1/lines?from=0",
        content=jsonl(rows),
        headers=approver.headers | {"Content-Type": "application/x-ndjson"},
    )
    assert lines.status_code == 403, lines.text
    assert client.post("/v1/batches/b-1/publish", headers=approver.headers).status_code == 403
    assert client.get("/v1/batches/b-1", headers=approver.headers).json()["next_line"] == 0
    sent = client.post(
        "/v1/batches/b-1/lines?from=0",
        content=jsonl(rows),
        headers=customs.headers | {"Content-Type": "application/x-ndjson"},
    )
    assert sent.status_code == 200 and sent.json()["status"] == "published"


def test_the_portal_answers_a_refused_batch_upload_with_403(
    client: TestClient, db: Database
) -> None:
    customs = make_party(db, OrgKind.CUSTOMS)
    username = add_user(db, customs.org_id, Role.APPROVER)
    assert login(client, username).status_code == 303
    token = csrf_from(client.get("/batches").text)
    upload = client.post(
        "/batches",
        data={"csrf_token": token},
        files={
            "manifest": ("manifest.txt", b"not a manifest", "text/plain"),
            "records": ("records.jsonl", b"{}\n", "application/x-ndjson"),
        },
    )
    assert upload.status_code == 403  # the role, not the file: it was a 422


def test_an_enterprises_approver_does_not_withdraw_its_need(
    client: TestClient, db: Database
) -> None:
    firms = make_firms(db, banks=1)
    doc = declaration(db, firms, "1000.00")
    need = client.post(
        "/v1/needs",
        headers=firms.enterprise.headers,
        json={
            "amount": "500.00",
            "currency": "USD",
            "tenor_days": 90,
            "purpose": "Q1",
            "documents": [{"kind": doc.kind, "key": doc.key}],
        },
    )
    assert need.status_code == 201, need.text
    approver = another_principal(db, firms.enterprise.org_id, Role.APPROVER)
    url = f"/v1/needs/{need.json()['id']}/withdraw"
    assert client.post(url, json={}, headers=approver.headers).status_code == 403
    assert client.post(url, json={}, headers=firms.enterprise.headers).status_code == 200
