"""A receipt as JSON (what answers and report PDFs carry) with its tlog-proof inside:
`ledger.service.receipt_object` makes it, `crossfin verify receipt` checks it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import service
from crossfin.ledger.bundle import ReceiptError, unwrap_receipt
from crossfin.ledger.journal import Receipt
from crossfin.ledger.models import LedgerEvent
from support.ledger import log_vkey, quiet_settings, record_events, sign

runner = CliRunner()


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


def _receipt(db: Database, conf: Settings, *, checkpoint: bool = True) -> dict[str, Any]:
    receipt = record_events(db, 3)[1]
    if checkpoint:
        sign(db, conf)
    with db.session(readonly=True) as session:
        return service.receipt_object(session, receipt, conf.witness_quorum)


def _verify(tmp_path: Path, conf: Settings, body: dict[str, Any], *args: str) -> Any:
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(body))
    return runner.invoke(cli, ["verify", "receipt", str(path), "--key", log_vkey(conf), *args])


def test_receipt_object_has_its_bundle_once_checkpointed(db: Database, conf: Settings) -> None:
    early = _receipt(db, conf, checkpoint=False)
    assert set(early) == {"event_id", "leaf_hash", "leaf_index"}
    sign(db, conf)
    with db.session(readonly=True) as session:
        receipt = Receipt(early["event_id"], early["leaf_hash"], early["leaf_index"])
        later = service.receipt_object(session, receipt, conf.witness_quorum)
    assert later["bundle"].startswith(f"c2sp.org/tlog-proof@v1\nindex {early['leaf_index']}\n")
    assert {k: later[k] for k in early} == early


def test_an_uncommitted_receipt_has_no_object(db: Database) -> None:
    with db.session(readonly=True) as session, pytest.raises(ValueError, match="not committed"):
        service.receipt_object(session, Receipt("e", "00" * 32), 0)


def test_json_receipt_verifies_against_its_own_leaf_hash(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    receipt = _receipt(db, conf)
    ok = _verify(tmp_path, conf, receipt)
    assert ok.exit_code == 0, ok.output
    assert f"leaf {receipt['leaf_hash']} is entry {receipt['leaf_index']}" in ok.output
    same = _verify(tmp_path, conf, receipt, "--leaf-hash", receipt["leaf_hash"])
    assert same.exit_code == 0, same.output


def test_json_receipt_with_its_record(db: Database, conf: Settings, tmp_path: Path) -> None:
    receipt = _receipt(db, conf)
    with db.session(readonly=True) as session:
        record = session.scalar(
            select(LedgerEvent.record).where(LedgerEvent.leaf_index == receipt["leaf_index"])
        )
    assert record is not None
    (tmp_path / "record.json").write_bytes(record)
    ok = _verify(tmp_path, conf, receipt, "--record", str(tmp_path / "record.json"))
    assert ok.exit_code == 0, ok.output
    (tmp_path / "record.json").write_bytes(record + b" ")
    bad = _verify(tmp_path, conf, receipt, "--record", str(tmp_path / "record.json"))
    assert bad.exit_code == 1
    assert "not the hash of the given record" in bad.output


def test_json_receipt_refuses_another_leaf_hash(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    receipt = _receipt(db, conf)
    other = "%064x" % (int(receipt["leaf_hash"], 16) ^ 1)
    bad = _verify(tmp_path, conf, receipt, "--leaf-hash", other)
    assert bad.exit_code == 1
    assert "not the leaf hash the receipt names" in bad.output
    forged = _verify(tmp_path, conf, receipt | {"leaf_hash": other})
    assert forged.exit_code == 1
    assert "inclusion proof for index" in forged.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bundle": None}, "bundle is text"),
        ({"leaf_hash": "abc"}, "needs bundle, leaf_hash and leaf_index"),
        ({"leaf_hash": "00" * 31}, "64 hex digits"),
        ({"leaf_index": 0}, "says leaf 0 but its bundle proves another"),
    ],
)
def test_malformed_json_receipts_are_refused(
    db: Database, conf: Settings, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    receipt = _receipt(db, conf) | change
    bad = _verify(tmp_path, conf, receipt)
    assert bad.exit_code == 1
    assert message in bad.output


def test_unwrap_passes_a_bare_bundle_through() -> None:
    assert unwrap_receipt("c2sp.org/tlog-proof@v1\n") == ("c2sp.org/tlog-proof@v1\n", None)
    with pytest.raises(ReceiptError, match="needs bundle"):
        unwrap_receipt('{"leaf_hash": "00"}')
    with pytest.raises(ReceiptError, match="needs bundle"):
        unwrap_receipt("{not json")
