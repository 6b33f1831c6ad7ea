"""`crossfin log | verify | witness` at the command line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger.checkpoint import Checkpoint
from crossfin.ledger.cosignature import CosignatureVerifier
from crossfin.ledger.note import Signer, sign_note
from crossfin.ledger.rfc6962 import EMPTY_ROOT
from crossfin.ledger.witness_client import submit_checkpoint
from support.ledger import free_port, log_vkey, quiet_settings, record_events

runner = CliRunner()


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


@pytest.fixture
def env(db: Database, conf: Settings) -> dict[str, str]:
    return {
        "CROSSFIN_DATABASE_URL": db.url,
        "CROSSFIN_DATA_DIR": str(conf.data_dir),
        "CROSSFIN_CHECKPOINT_INTERVAL": "0",
    }


def test_public_key_is_the_log_vkey(env: dict[str, str], conf: Settings) -> None:
    result = runner.invoke(cli, ["log", "public-key"], env=env)
    assert result.exit_code == 0
    assert result.output.strip() == log_vkey(conf)


def test_public_key_without_a_key_fails_clearly(env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["log", "public-key"], env=env | {"CROSSFIN_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert "crossfin init" in result.output


def test_checkpoint_on_demand(db: Database, env: dict[str, str], conf: Settings) -> None:
    record_events(db, 4)
    first = runner.invoke(cli, ["log", "checkpoint", "--json"], env=env)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert (data["size"], data["signed_now"], data["cosigners"]) == (4, True, [])
    assert data["note"].startswith(f"{conf.log_origin}\n4\n")
    again = json.loads(runner.invoke(cli, ["log", "checkpoint", "--json"], env=env).output)
    assert (again["size"], again["signed_now"]) == (4, False)
    text = runner.invoke(cli, ["log", "checkpoint"], env=env).output
    assert text.startswith(f"{conf.log_origin}\n4\n")
    assert "\u2014 " + conf.log_origin in text


def test_audit_json(db: Database, env: dict[str, str]) -> None:
    record_events(db, 3)
    runner.invoke(cli, ["log", "checkpoint"], env=env)
    result = runner.invoke(cli, ["log", "audit", "--json"], env=env)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [w.split(" (")[0] for w in data.pop("warnings")] == ["no witness quorum"]
    state = data.pop("state")
    assert (state["ok"], state["rows"], state["divergent"]) == (True, 0, [])
    assert data == {
        "ok": True,
        "log_ok": True,
        "size": 3,
        "checkpoints": 1,
        "latest_checkpoint": 3,
        "first_bad_index": None,
        "problems": [],
    }


def test_witness_keygen_writes_a_private_key(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["witness", "keygen", "witness.example/w1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    vkey = result.output.strip()
    assert CosignatureVerifier.from_vkey(vkey).name == "witness.example/w1"
    key = tmp_path / "witness.example_w1.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (tmp_path / "witness.example_w1.vkey").read_text().strip() == vkey
    again = runner.invoke(cli, ["witness", "keygen", "witness.example/w1", "--out", str(tmp_path)])
    assert again.exit_code == 1
    assert "not overwriting" in again.output
    assert runner.invoke(cli, ["witness", "keygen", "bad name"]).exit_code == 2


def test_witness_dev_prints_the_platform_settings(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(cli, ["witness", "dev", "--print-env", "--port", "8123"], env=env)
    assert result.exit_code == 0, result.output
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in result.output.strip().splitlines()
    )
    for name, value in exports.items():  # what a shell would set after `eval`
        monkeypatch.setenv(name, value.strip("'"))
    parsed = Settings(_env_file=None)  # type: ignore[call-arg]
    assert parsed.witness_urls == ["http://127.0.0.1:8123"]
    assert parsed.witness_quorum == 1
    [vkey] = parsed.witness_keys
    assert CosignatureVerifier.from_vkey(vkey).name == "crossfin.local/witness"


@pytest.mark.parametrize(
    "args",
    [
        [],  # neither --record nor --leaf-hash
        ["--record", "r.json", "--leaf-hash", "00" * 32],  # both
        ["--leaf-hash", "xyz"],  # not hex
        ["--leaf-hash", "00" * 31],  # too short
    ],
)
def test_verify_receipt_usage_errors(args: list[str], tmp_path: Path) -> None:
    bundle = tmp_path / "receipt.txt"
    bundle.write_text("c2sp.org/tlog-proof@v1\n")
    result = runner.invoke(cli, ["verify", "receipt", str(bundle), "--key", "k", *args])
    assert result.exit_code == 2


def test_verify_receipt_refuses_garbage(tmp_path: Path, conf: Settings) -> None:
    bundle = tmp_path / "receipt.txt"
    bundle.write_text("not a receipt\n")
    result = runner.invoke(
        cli, ["verify", "receipt", str(bundle), "--key", log_vkey(conf), "--leaf-hash", "00" * 32]
    )
    assert result.exit_code == 1
    assert "receipt does not verify" in result.output
    missing = runner.invoke(
        cli, ["verify", "receipt", str(tmp_path / "none"), "--key", "k", "--leaf-hash", "00" * 32]
    )
    assert missing.exit_code == 2


@pytest.mark.slow
def test_witness_serve_cosigns_over_http(tmp_path: Path, conf: Settings) -> None:
    keys_dir, port = tmp_path / "keys", free_port()
    vkey = runner.invoke(
        cli, ["witness", "keygen", "witness.example/w9", "--out", str(keys_dir)]
    ).output.strip()
    log_key = tmp_path / "log.vkey"
    log_key.write_text(log_vkey(conf) + "\n")
    crossfin = str(Path(sys.executable).parent / "crossfin")
    process = subprocess.Popen(
        [
            crossfin,
            "witness",
            "serve",
            "--key",
            str(keys_dir / "witness.example_w9.key"),
            "--log-key",
            str(log_key),
            "--state",
            str(tmp_path / "state"),
            "--port",
            str(port),
        ],
        env=os.environ | {"CROSSFIN_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port)
        signer = Signer.from_skey((conf.data_dir / "log.key").read_text().strip())
        note = sign_note(Checkpoint(conf.log_origin, 0, EMPTY_ROOT).format(), [signer])
        lines = submit_checkpoint(f"http://127.0.0.1:{port}", 0, [], note, witness_vkey=vkey)
        assert lines and lines[0].startswith("\u2014 witness.example/w9 ")
    finally:
        process.terminate()
        process.wait(10)


def _wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the witness did not start listening")
