"""Portal pages of the registry through HTTP: browse, who verified, consent, verify, batches."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.ledger.note import generate_signer
from crossfin.parties.models import OrgKind
from support.documents import make_document
from support.parties import make_party
from support.web import add_user, csrf_from, login


def logged_in(client: TestClient, db: Database, org_id: int) -> str:
    assert login(client, add_user(db, org_id)).status_code == 303
    return csrf_from(client.get("/").text)


def test_enterprise_browses_documents_versions_and_checks(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    doc = make_document(
        db,
        "customs_declaration",
        source_org_id=make_party(db, OrgKind.CUSTOMS).org_id,
        owner_org_id=firm.org_id,
    )
    client.post(
        "/v1/documents/verify",
        headers=bank.headers,
        json={"items": [{"kind": doc.kind, "key": doc.key, "fields": {"total_value": "3.00"}}]},
    )
    logged_in(client, db, firm.org_id)
    listing = client.get("/documents")
    assert listing.status_code == 200 and doc.key in listing.text
    detail = client.get(f"/documents/{doc.kind}/{doc.key}")
    assert detail.status_code == 200
    assert "Hanseatic Import GmbH" in detail.text and "total_value" in detail.text
    assert "v1" in detail.text
    checks = client.get("/verifications")
    assert "Test bank" in checks.text and doc.key in checks.text
    other = make_document(
        db,
        "customs_declaration",
        source_org_id=make_party(db, OrgKind.CUSTOMS).org_id,
        owner_org_id=make_party(db, OrgKind.ENTERPRISE).org_id,
    )
    assert client.get(f"/documents/{other.kind}/{other.key}").status_code == 404


def test_consent_grant_and_revoke_through_forms(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    token = logged_in(client, db, firm.org_id)
    page = client.get("/consents")
    assert page.status_code == 200 and 'data-test="grant-form"' in page.text
    form = {
        "csrf_token": token,
        "bank_org_id": str(bank.org_id),
        "days": "30",
        "scopes": ["customs_declaration", "credit_profile"],
        "purpose": "loan",
    }
    done = client.post("/consents", data=form, follow_redirects=False)
    assert done.status_code == 303
    listed = client.get("/v1/consents", headers=bank.headers).json()
    assert listed[0]["scopes"] == ["credit_profile", "customs_declaration"]
    assert "Consent granted" in client.get("/consents").text
    bad = client.post("/consents", data=form | {"scopes": ["nonsense"]})
    assert bad.status_code == 422 and "scopes[0]" in bad.text
    assert client.post("/consents", data=form | {"csrf_token": "x"}).status_code == 403
    revoked = client.post(
        f"/consents/{listed[0]['id']}/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/v1/consents", headers=bank.headers).json()[0]["status"] == "revoked"


def test_bank_runs_a_verification_and_downloads_the_csv(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    doc = make_document(
        db,
        "customs_declaration",
        source_org_id=make_party(db, OrgKind.CUSTOMS).org_id,
        owner_org_id=firm.org_id,
    )
    token = logged_in(client, db, bank.org_id)
    assert client.get("/verify").status_code == 200
    upload = (
        f"kind,key,total_value,currency\ncustoms_declaration,{doc.key},125000,USD\n"
        f"customs_declaration,{doc.key},1,USD\ncustoms_declaration,531620260099999999,,\n"
    )
    page = client.post(
        "/verify",
        data={"csrf_token": token, "fmt": "auto"},
        files={"file": ("claims.csv", upload, "text/csv")},
    )
    assert page.status_code == 200, page.text[:400]
    assert 'data-test="count-authentic">1<' in page.text
    assert 'data-test="count-unknown">1<' in page.text
    request_id = client.get("/v1/documents/verifications", headers=bank.headers).json()["items"][0][
        "request_id"
    ]
    csv_text = client.get(f"/verify/{request_id}.csv").text.splitlines()
    assert csv_text[0].startswith("line,kind,key,outcome")
    assert csv_text[2].endswith("mismatch,total_value,,,")
    bad = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("claims.jsonl", "not json\n", "text/plain")},
    )
    assert bad.status_code == 422 and "line 1" in bad.text
    deep = '{"kind": "customs_declaration", "key": "1", "fields": ' + "[" * 10_000 + "]" * 10_000
    nested = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("claims.jsonl", deep + "}\n", "text/plain")},
    )
    assert nested.status_code == 422 and "nested more than" in nested.text


def test_pages_refuse_the_wrong_kind(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    logged_in(client, db, firm.org_id)
    assert client.get("/verify").status_code == 403
    assert client.get("/batches").status_code == 403


def test_source_uploads_a_signed_batch_and_reads_the_outcome(
    client: TestClient, db: Database, tmp_path: Path
) -> None:
    customs = make_party(db, OrgKind.CUSTOMS)
    firm = make_party(db, OrgKind.ENTERPRISE)
    skey, vkey = generate_signer("customs-5316")
    assert (
        client.post("/v1/sources/keys", json={"vkey": vkey}, headers=customs.headers).status_code
        == 201
    )
    uscc = client.get("/v1/me", headers=firm.headers).json()["organization"]["uscc"]
    records = [
        {
            "declaration_no": f"53162026000000{n:04d}",
            "enterprise_uscc": uscc,
            "buyer_name": "Nordic AB",
            "buyer_country": "SE",
            "currency": "EUR",
            "total_value": "1000.00",
            "export_date": "2026-02-01",
            "trade_mode": "0110",
        }
        for n in range(1, 4)
    ]
    records[1]["buyer_country"] = "XX"
    data = tmp_path / "declarations.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    key_file = tmp_path / "customs.key"
    key_file.write_text(skey + "\n")
    key_file.chmod(0o600)
    from typer.testing import CliRunner

    from crossfin.cli.main import app as cli

    made = CliRunner().invoke(
        cli,
        [
            "documents",
            "manifest",
            str(data),
            "--kind",
            "customs_declaration",
            "--signing-key",
            str(key_file),
        ],
    )
    assert made.exit_code == 0, made.output
    token = logged_in(client, db, customs.org_id)
    done = client.post(
        "/batches",
        data={"csrf_token": token},
        files={
            "manifest": ("m.note", made.stdout, "text/plain"),
            "records": ("declarations.jsonl", data.read_text(), "application/x-ndjson"),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:500]
    outcome = client.get(done.headers["location"])
    assert 'data-test="accepted">2<' in outcome.text
    assert 'data-test="rejected">1<' in outcome.text and "buyer_country" in outcome.text
    report = client.get(done.headers["location"] + "/report.csv?all_lines=true")
    assert report.status_code == 200 and len(report.text.splitlines()) >= 4
    assert doc_count(client, firm) == 2


def doc_count(client: TestClient, firm) -> int:  # type: ignore[no-untyped-def]
    return len(client.get("/v1/documents", headers=firm.headers).json()["items"])
