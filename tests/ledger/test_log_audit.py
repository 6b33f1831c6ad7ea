"""`crossfin log audit`: a row altered by SQL is named by its leaf index."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.ledger.audit import AuditReport, audit, audit_database
from crossfin.ledger.models import (
    Checkpoint,
    LedgerEvent,
    LedgerEventParty,
    LogHead,
    TreeHash,
)
from crossfin.ledger.note import Signer, generate_signer, sign_note
from support.ledger import fast_append, quiet_settings, record_events, sign

SIZE = 700


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


@pytest.fixture
def log(db: Database, conf: Settings) -> Database:
    """A log of SIZE leaves with three checkpoints, the last at the head."""
    record_events(db, 20, per_tx=7)
    sign(db, conf)
    fast_append(db, 300)
    sign(db, conf)
    fast_append(db, SIZE - 320)
    sign(db, conf)
    return db


def _audit(db: Database, conf: Settings, chunk: int = 4096) -> AuditReport:
    with db.session(readonly=True) as session:
        return audit(session, keys.log_signer(conf).verifier(), chunk=chunk)


def _cli(db: Database, conf: Settings) -> tuple[int, str]:
    env = {"CROSSFIN_DATABASE_URL": db.url, "CROSSFIN_DATA_DIR": str(conf.data_dir)}
    result = CliRunner().invoke(cli, ["log", "audit"], env=env)
    return result.exit_code, result.output


def _sql(db: Database, statement) -> None:  # type: ignore[no-untyped-def]
    with db.engine.begin() as conn:
        conn.execute(statement)


@pytest.mark.parametrize("chunk", [4096, 7, 256])
def test_an_intact_log_passes(log: Database, conf: Settings, chunk: int) -> None:
    report = _audit(log, conf, chunk)
    assert report.ok, report.problems
    assert (report.size, report.checkpoints, report.latest_checkpoint) == (SIZE, 3, SIZE)
    assert report.first_bad_index is None


def test_cli_passes_an_intact_log(log: Database, conf: Settings) -> None:
    code, output = _cli(log, conf)
    assert code == 0, output
    assert f"{SIZE} leaves re-hashed" in output


def test_altered_record_is_named(log: Database, conf: Settings) -> None:
    _sql(log, update(LedgerEvent).where(LedgerEvent.leaf_index == 123)
         .values(record=b'{"forged":true}'))
    report = audit_database(log, keys.log_signer(conf).verifier())
    assert report.first_bad_index == 123
    assert report.problems[0].startswith("leaf 123: record hashes to")
    code, output = _cli(log, conf)
    assert code == 1
    assert "first bad index 123" in output


def test_altered_leaf_hash_is_named(log: Database, conf: Settings) -> None:
    _sql(log, update(LedgerEvent).where(LedgerEvent.leaf_index == 5).values(leaf_hash=b"\1" * 32))
    assert _audit(log, conf, chunk=64).first_bad_index == 5


def test_record_and_leaf_hash_altered_together_are_named(log: Database, conf: Settings) -> None:
    """The stored subtree hashes and the signed checkpoints still disagree."""
    from crossfin.ledger.rfc6962 import leaf_hash

    forged = b'{"forged":true}'
    _sql(log, update(LedgerEvent).where(LedgerEvent.leaf_index == 400)
         .values(record=forged, leaf_hash=leaf_hash(forged)))
    report = _audit(log, conf)
    assert report.first_bad_index == 400
    assert any("checkpoint 700" in p for p in report.problems)


def test_altered_subtree_hash_is_named(log: Database, conf: Settings) -> None:
    _sql(log, update(TreeHash).where(TreeHash.level == 4, TreeHash.idx == 9)
         .values(hash=b"\2" * 32))
    report = _audit(log, conf, chunk=100)
    assert report.first_bad_index == 9 * 16
    assert "(4, 9)" in report.problems[0]


def test_missing_record_is_named(log: Database, conf: Settings) -> None:
    _sql(log, delete(LedgerEventParty).where(LedgerEventParty.leaf_index == 650))
    _sql(log, delete(LedgerEvent).where(LedgerEvent.leaf_index == 650))
    report = _audit(log, conf)
    assert report.first_bad_index == 650
    assert "leaf 650: record missing" in report.problems


def test_forged_checkpoint_is_refused(log: Database, conf: Settings) -> None:
    skey, _ = generate_signer(conf.log_origin)  # right name, wrong key
    row_note = sign_note(f"{conf.log_origin}\n320\n{'A' * 43}=\n", [Signer.from_skey(skey)])
    _sql(log, update(Checkpoint).where(Checkpoint.size == 320).values(note=row_note))
    report = _audit(log, conf)
    assert not report.ok
    assert any("checkpoint 320: signature or format invalid" in p for p in report.problems)


def test_tampered_head_is_reported(log: Database, conf: Settings) -> None:
    _sql(log, update(LogHead).values(root=b"\3" * 32))
    report = _audit(log, conf)
    assert not report.ok
    assert report.first_bad_index == SIZE - 1
    assert "head root" in report.problems[0]
