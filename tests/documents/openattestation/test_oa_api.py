"""OpenAttestation documents through HTTP and the CLI: verify, import, denials, no 500."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.documents.access.models import Fingerprint
from crossfin.parties.models import OrgKind
from support.data import DATA
from support.openattestation import dumps, invoice_batch
from support.parties import make_party

SAMPLES = DATA / "openattestation"
VERIFY, IMPORT = "/v1/openattestation/verify", "/v1/openattestation/import"
JSON = {"content-type": "application/json"}


def fingerprints(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Fingerprint)) or 0)


def test_verify_answers_checks_or_a_named_problem(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    headers = firm.headers | JSON
    good = (SAMPLES / "oa-v2_did-wrapped.json").read_bytes()
    answer = client.post(VERIFY, content=good, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["intact"] is True
    bad = client.post(
        VERIFY, content=(SAMPLES / "oa-v2_obfuscated-wrapped.json").read_bytes(), headers=headers
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    body = bad.json()
    assert body["type"].endswith("/openattestation-integrity")
    assert {e["field"] for e in body["errors"]} == {"/signature/targetHash", "/data/recipient"}
    for raw in (b"{", b"[]", (SAMPLES / "oa-v2_raw-document.json").read_bytes(), b""):
        refused = client.post(VERIFY, content=raw, headers=headers)
        assert refused.status_code == 422, raw
        assert refused.json()["errors"][0]["field"].startswith("/")
    assert client.post(VERIFY, content=good, headers=JSON).status_code == 401


def test_import_registers_once_and_other_banks_see_it(client: TestClient, db: Database) -> None:
    first, second = make_party(db, OrgKind.BANK), make_party(db, OrgKind.BANK)
    doc = dumps(invoice_batch(3)[1])
    url = IMPORT + "?currency=usd"
    made = client.post(url, content=doc, headers=first.headers | JSON)
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["paper"] == {
        "document_type": "commercial_invoice",
        "number": "INV-2026-OA-0042-1",
        "seller": "Shenzhen Lotus Electronics Co., Ltd.",
        "buyer": "Hanseatic Import GmbH",
        "amount": "12250.5",
        "currency": "USD",
        "issue_date": "2026-10-12",
    }
    assert body["fingerprint"]["registered"] is True and body["receipt"]["leaf_index"] is not None
    assert body["openattestation"]["merkle_root"] == json.loads(doc)["signature"]["merkleRoot"]
    again = client.post(url, content=doc, headers=first.headers | JSON).json()
    assert again["fingerprint"]["already_registered"] is True
    assert again["fingerprint"]["seen_before"] is False
    other = client.post(url, content=doc, headers=second.headers | JSON).json()
    assert other["fingerprint"]["seen_before"] is True
    assert other["fingerprint"]["presentations"] == 1
    assert fingerprints(db) == 2


def test_import_refusals_change_nothing(client: TestClient, db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    doc = invoice_batch(2)[0]
    for kind in (OrgKind.ENTERPRISE, OrgKind.REGULATOR):
        outsider = make_party(db, kind)
        denied = client.post(IMPORT, content=dumps(doc), headers=outsider.headers | JSON)
        assert denied.status_code == 403, kind
    assert client.post(IMPORT, content=dumps(doc), headers=JSON).status_code == 401
    no_currency = client.post(IMPORT, content=dumps(doc), headers=bank.headers | JSON)
    assert no_currency.status_code == 422
    assert no_currency.json()["errors"][0]["field"] == "/data/currency"
    tampered = copy.deepcopy(doc)
    tampered["data"]["total"] = tampered["data"]["total"].replace("12250.5", "1225.5")
    refused = client.post(
        IMPORT + "?currency=USD", content=dumps(tampered), headers=bank.headers | JSON
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "/signature/targetHash"
    not_invoice = (SAMPLES / "oa-v2_did-wrapped.json").read_bytes()
    missing = client.post(
        IMPORT + "?currency=USD", content=not_invoice, headers=bank.headers | JSON
    )
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"/data/billFrom/name", "/data/total"}
    assert fingerprints(db) == 0


def test_cli_verify_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(
        cli, ["documents", "oa", "verify", str(SAMPLES / "oa-v2_did-wrapped.json")]
    )
    assert good.exit_code == 0 and "not_checked_offline" in good.output
    bad = runner.invoke(
        cli, ["documents", "oa", "verify", "--json", str(SAMPLES / "oa-v2_obfuscated-wrapped.json")]
    )
    assert bad.exit_code == 1
    assert json.loads(bad.output)["errors"][1]["field"] == "/data/recipient"
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert runner.invoke(cli, ["documents", "oa", "verify", str(junk)]).exit_code == 1
