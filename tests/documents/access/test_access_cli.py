"""`crossfin documents verify` and `crossfin consent ...` against a live server."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.parties.models import OrgKind
from support.documents import live_server, make_declarations, make_document
from support.parties import make_party


@pytest.fixture
def server(settings, db: Database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with live_server(settings, db) as url:
        yield url


def run(args: list[str], server: str, key: str):  # type: ignore[no-untyped-def]
    env = {"CROSSFIN_SERVER": server, "CROSSFIN_API_KEY": key}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_verify_jsonl_in_batches_to_csv(server: str, db: Database, tmp_path: Path) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    customs = make_party(db, OrgKind.CUSTOMS)
    bank = make_party(db, OrgKind.BANK)
    keys = make_declarations(db, 25, source_org_id=customs.org_id, owner_org_id=firm.org_id)
    lines = [
        {
            "kind": "customs_declaration",
            "key": k,
            "fields": {"total_value": "125000.00" if i != 3 else "5.00"},
        }
        for i, k in enumerate(keys)
    ]
    lines.append({"kind": "customs_declaration", "key": "531620260099999999"})
    source = tmp_path / "claims.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "results.csv"
    result = run(
        ["documents", "verify", str(source), "--batch", "10", "--out", str(out)], server, bank.key
    )
    assert result.exit_code == 0, result.output
    assert "authentic 24, mismatch 1, unknown 1" in result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["line"] for r in rows] == [str(i) for i in range(1, 27)]
    assert rows[3]["outcome"] == "mismatch" and rows[3]["fields"] == "total_value"
    assert rows[0]["remaining"] == "125000.00" and rows[0]["currency"] == "USD"
    assert rows[25]["outcome"] == "unknown"


def test_verify_csv_input_to_stdout(server: str, db: Database, tmp_path: Path) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    doc = make_document(
        db,
        "customs_declaration",
        source_org_id=make_party(db, OrgKind.CUSTOMS).org_id,
        owner_org_id=firm.org_id,
    )
    source = tmp_path / "claims.csv"
    source.write_text(
        f"key,total_value,currency,buyer_country\n{doc.key},125000,USD,DE\n{doc.key},125000,EUR,\n"
    )
    result = run(
        ["documents", "verify", str(source), "--kind", "customs_declaration"], server, bank.key
    )
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [a["outcome"] for a in answers] == ["authentic", "mismatch"]
    assert answers[1]["fields"] == ["currency"]


def test_verify_refused_for_non_banks(server: str, db: Database, tmp_path: Path) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    source = tmp_path / "claims.jsonl"
    source.write_text('{"kind": "vat_invoice", "key": "26442000000000000001"}\n')
    result = run(["documents", "verify", str(source)], server, firm.key)
    assert result.exit_code == 1


def test_consent_grant_list_revoke(server: str, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE)
    bank = make_party(db, OrgKind.BANK)
    granted = run(
        [
            "consent",
            "grant",
            "--bank-id",
            str(bank.org_id),
            "--scope",
            "customs_declaration",
            "--scope",
            "credit_profile",
            "--days",
            "30",
            "--json",
        ],
        server,
        firm.key,
    )
    assert granted.exit_code == 0, granted.output
    consent = json.loads(granted.stdout)
    assert consent["status"] == "active" and consent["receipt"]["leaf_index"] is not None
    listed = run(["consent", "list"], server, bank.key)
    assert f"consent {consent['id']}: active" in listed.stdout
    revoked = run(["consent", "revoke", str(consent["id"])], server, firm.key)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    assert run(["consent", "list", "--active", "--json"], server, firm.key).stdout.strip() == "[]"
    bad = run(
        ["consent", "grant", "--bank-id", str(bank.org_id), "--scope", "nope", "--days", "3"],
        server,
        firm.key,
    )
    assert bad.exit_code == 1 and "scopes[0]" in bad.output


def test_verify_refuses_deep_nesting_with_a_message_not_a_traceback(
    server: str, db: Database, tmp_path: Path
) -> None:
    bank = make_party(db, OrgKind.BANK)
    source = tmp_path / "claims.jsonl"
    source.write_text(
        '{"kind": "customs_declaration", "key": "1", "fields": '
        + "[" * 10_000
        + "]" * 10_000
        + "}\n"
    )
    result = CliRunner().invoke(
        cli,
        ["documents", "verify", str(source)],
        env={"CROSSFIN_SERVER": server, "CROSSFIN_API_KEY": bank.key},
    )
    assert result.exit_code == 1, result.output
    assert "nested more than" in result.output
    assert not isinstance(result.exception, RecursionError)
