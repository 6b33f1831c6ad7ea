"""`crossfin source-key` and `crossfin documents submit` end to end against a live server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from crossfin.api.app import create_app
from crossfin.cli.main import app as cli
from crossfin.documents.ingest import client as submit_client
from crossfin.parties.models import OrgKind
from support.ingest import csv_text, record
from support.parties import make_party

KIND = "customs_declaration"


@pytest.fixture
def server(settings, db) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from crossfin.core import secrets
    from crossfin.ledger import keys

    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, db), host="127.0.0.1", port=port, log_level="warning"
    )
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(100):
        if live.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    live.should_exit = True
    thread.join(timeout=10)


def _run(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    return result


def test_generate_register_and_submit_with_resume(
    server,
    db,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customs = make_party(db, OrgKind.CUSTOMS)
    env = {"CROSSFIN_SERVER": server, "CROSSFIN_API_KEY": customs.key}
    key = tmp_path / "customs.key"
    generated = _run(["source-key", "generate", "customs-5316", "--out", str(key)], env)
    assert generated.exit_code == 0 and generated.output.startswith("customs-5316+")
    assert key.stat().st_mode & 0o777 == 0o600
    registered = _run(["source-key", "register", "--signing-key", str(key)], env)
    assert registered.exit_code == 0, registered.output
    rows = [record(KIND) for _ in range(25)]
    rows[7]["buyer_country"] = "ZZ"
    data = tmp_path / "declarations.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    state = tmp_path / "state"
    args = [
        "documents",
        "submit",
        str(data),
        "--kind",
        KIND,
        "--signing-key",
        str(key),
        "--chunk",
        "10",
        "--state-dir",
        str(state),
    ]

    real_call = submit_client.Api.call
    sent: list[int] = []

    def flaky(self, method, path, **kwargs):  # type: ignore[no-untyped-def]
        if path.endswith("/lines"):
            if sent:  # the connection drops on the second chunk
                raise httpx.ConnectError("connection reset")
            sent.append(kwargs["params"]["from"])
        return real_call(self, method, path, **kwargs)

    monkeypatch.setattr(submit_client.Api, "call", flaky)
    first = _run(args, env)
    assert first.exit_code == 1 and "resume" in first.output
    assert len(list(state.glob("*.json"))) == 1
    monkeypatch.setattr(submit_client.Api, "call", real_call)
    resumed: list[int] = []

    def spy(self, method, path, **kwargs):  # type: ignore[no-untyped-def]
        if path.endswith("/lines"):
            resumed.append(kwargs["params"]["from"])
        return real_call(self, method, path, **kwargs)

    monkeypatch.setattr(submit_client.Api, "call", spy)
    second = _run(args, env)
    assert second.exit_code == 0, second.output
    assert resumed == [10, 20]  # only what the server did not have yet
    assert "accepted 24, duplicate 0, rejected 1 of 25" in second.output
    report = next(tmp_path.glob("declarations.jsonl.*.report.csv")).read_text()
    assert "7,rejected" in report and "buyer_country" in report


def test_submit_csv_and_atomic(server, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tax = make_party(db, OrgKind.TAX)
    env = {"CROSSFIN_SERVER": server, "CROSSFIN_API_KEY": tax.key}
    key = tmp_path / "tax.key"
    assert _run(["source-key", "generate", "tax-4403", "--out", str(key)], env).exit_code == 0
    assert _run(["source-key", "register", "--signing-key", str(key)], env).exit_code == 0
    rows = [record("vat_invoice") for _ in range(4)]
    header = [
        "invoice_no",
        "seller_uscc",
        "buyer_uscc",
        "currency",
        "amount",
        "tax_amount",
        "issue_date",
        "category",
    ]
    data = tmp_path / "invoices.csv"
    data.write_text(csv_text(rows, header), encoding="utf-8")
    done = _run(
        [
            "documents",
            "submit",
            str(data),
            "--kind",
            "vat_invoice",
            "--signing-key",
            str(key),
            "--chunk",
            "3",
            "--atomic",
            "--state-dir",
            str(tmp_path / "s"),
            "--report",
            str(tmp_path / "r.csv"),
        ],
        env,
    )
    assert done.exit_code == 0, done.output
    assert "accepted 4" in done.output and (tmp_path / "r.csv").exists()
    listed = _run(["source-key", "list"], env)
    assert "active" in listed.output


def test_submit_dcsa_messages_maps_them_first(server, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A carrier submits what its DCSA interface produced: a PINT envelope is opened to its
    transport document; shipping instructions are refused naming the format, before any
    upload."""
    from support.data import DATA
    from support.ingest import owner_uscc

    carrier = make_party(db, OrgKind.LOGISTICS)
    env = {"CROSSFIN_SERVER": server, "CROSSFIN_API_KEY": carrier.key}
    key = tmp_path / "carrier.key"
    assert _run(["source-key", "generate", "carrier-1", "--out", str(key)], env).exit_code == 0
    assert _run(["source-key", "register", "--signing-key", str(key)], env).exit_code == 0
    envelope = json.loads((DATA / "dcsa" / "pint-3.0.0_envelope.json").read_text("utf-8"))
    document = envelope["transportDocument"]
    document["transportDocumentStatus"] = "ISSUED"
    document["documentParties"]["shipper"]["taxLegalReferences"] = [
        {"type": "USCC", "countryCode": "CN", "value": owner_uscc()}
    ]
    data = tmp_path / "envelope.json"
    data.write_text(json.dumps(envelope), encoding="utf-8")
    base = ["documents", "submit", "--kind", "bill_of_lading", "--signing-key", str(key)]
    state = ["--state-dir", str(tmp_path / "state"), "--format", "dcsa"]
    done = _run([*base[:2], str(data), *base[2:], *state], env)
    assert done.exit_code == 0, done.output
    assert "accepted 1, duplicate 0, rejected 0 of 1" in done.output
    wrong = tmp_path / "si.json"
    wrong.write_text(
        (DATA / "dcsa" / "ebl-3.0.4_shipping-instructions_regularSTD.json").read_text("utf-8"),
        encoding="utf-8",
    )
    refused = _run([*base[:2], str(wrong), *base[2:], *state], env)
    assert refused.exit_code == 1 and "format: dcsa-ebl-3/shipping-instructions" in refused.output
