"""The platform and a real tlog-witness: cosigned checkpoints, quorum, 409 retry, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from typer.testing import CliRunner

from crossfin.api.app import create_app
from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger.checkpointer import checkpoint_now
from crossfin.ledger.cosignature import generate_cosigner, verified_cosigners
from crossfin.ledger.models import Cosignature
from crossfin.ledger.proofs import consistency_proof
from crossfin.ledger.service import latest_checkpoint
from crossfin.ledger.store import DbHashReader
from crossfin.ledger.witness_app import create_witness_app
from crossfin.ledger.witness_client import (
    WitnessClientError,
    WitnessConflictError,
    submit_checkpoint,
)
from crossfin.parties.models import OrgKind
from support.db import clean
from support.ledger import fast_append, free_port, log_vkey, quiet_settings, serve, sign
from support.parties import make_party

PROBLEMS = "https://crossfin.dev/problems/"


@dataclass(frozen=True)
class RunningWitness:
    url: str
    vkey: str
    name: str
    state: Path


@pytest.fixture
def log_settings(settings: Settings) -> Settings:
    return quiet_settings(settings)


@pytest.fixture
def witness(log_settings: Settings, tmp_path: Path) -> Iterator[RunningWitness]:
    """A tlog-witness trusting the platform's log key, under a real uvicorn."""
    skey, vkey = generate_cosigner("witness.test/w1")
    state = tmp_path / "witness-state"
    with serve(create_witness_app(skey, [log_vkey(log_settings)], state)) as url:
        yield RunningWitness(url, vkey, "witness.test/w1", state)


@pytest.fixture
def witnessed(log_settings: Settings, witness: RunningWitness) -> Settings:
    return log_settings.model_copy(
        update={"witness_urls": [witness.url], "witness_keys": [witness.vkey], "witness_quorum": 1}
    )


def _cosigners(db: Database, size: int) -> list[str]:
    with db.session(readonly=True) as session:
        found = latest_checkpoint(session)
        assert found is not None and found.size == size
        return list(found.cosigners)


def test_cosigned_checkpoint_gives_a_receipt_with_quorum_one(
    db: Database, witnessed: Settings, witness: RunningWitness, tmp_path: Path
) -> None:
    bank = make_party(db, OrgKind.BANK)
    fast_append(db, 10)
    done = checkpoint_now(db, witnessed)
    assert done.cosigned_by == (witness.name,)
    fast_append(db, 7)  # the second checkpoint goes with a consistency proof from the first
    size, _ = sign(db, witnessed)
    assert _cosigners(db, size) == [witness.name]
    with TestClient(create_app(witnessed, db), raise_server_exceptions=False) as api:
        note = api.get("/v1/log/checkpoint", headers=bank.headers).text
        assert verified_cosigners(note, [witness.vkey]) == [witness.name]
        bundle = api.get("/v1/log/receipts/12", headers=bank.headers)
    assert bundle.status_code == 200
    path = tmp_path / "receipt.txt"
    path.write_text(bundle.text)
    with db.session(readonly=True) as session:
        leaf = DbHashReader(session).read_hashes([(0, 12)])[0].hex()
    base = ["verify", "receipt", str(path), "--key", log_vkey(witnessed), "--leaf-hash", leaf]
    runner = CliRunner()
    ok = runner.invoke(cli, [*base, "--witness", witness.vkey, "--quorum", "1"])
    assert ok.exit_code == 0, ok.output
    assert witness.name in ok.output
    _, stranger = generate_cosigner("witness.test/w2")
    short = runner.invoke(cli, [*base, "--witness", witness.vkey, "--witness", stranger])
    assert short.exit_code == 1  # both given witnesses are required by default
    assert "quorum not met" in short.output


def test_checkpoint_below_quorum_is_not_served(db: Database, log_settings: Settings) -> None:
    bank = make_party(db, OrgKind.BANK)
    _, vkey = generate_cosigner("witness.test/down")
    conf = log_settings.model_copy(
        update={
            "witness_urls": [f"http://127.0.0.1:{free_port()}"],
            "witness_keys": [vkey],
            "witness_quorum": 1,
        }
    )
    size, _ = sign(db, conf)
    assert _cosigners(db, size) == []
    with TestClient(create_app(conf, db), raise_server_exceptions=False) as api:
        answer = api.get("/v1/log/checkpoint", headers=bank.headers)
        assert answer.status_code == 404
        assert answer.json()["type"] == PROBLEMS + "not-yet-checkpointed"
        assert "retry-after" in answer.headers
        assert api.get("/v1/log/receipts/0", headers=bank.headers).status_code == 404


def test_platform_retries_with_the_size_a_witness_reports(
    db: Database, witnessed: Settings, witness: RunningWitness
) -> None:
    fast_append(db, 20)
    sign(db, witnessed)
    with db.engine.begin() as conn:  # the platform forgets what the witness has seen
        conn.execute(delete(Cosignature))
    fast_append(db, 5)
    done = checkpoint_now(db, witnessed)  # old 0 -> 409 "20" -> old 20 with a proof
    assert done.cosigned_by == (witness.name,)
    assert not _evidence(witness, 422)


def _rebuild(db: Database, leaves: int) -> None:
    """Throw the log away and grow a different one: what a rollback or a fork looks like."""
    clean(db)
    fast_append(db, leaves)


def _evidence(witness: RunningWitness, status: int) -> list[Path]:
    return [p for p in (witness.state / "evidence").iterdir() if f"-{status}" in p.name]


def test_witness_refuses_a_forked_log(
    db: Database, witnessed: Settings, witness: RunningWitness
) -> None:
    fast_append(db, 30)
    sign(db, witnessed)
    _rebuild(db, 35)  # same first size, different leaves
    size, _ = sign(db, witnessed)
    assert _cosigners(db, size) == []
    assert _evidence(witness, 422), "the witness kept the forked checkpoint as evidence"
    with db.session(readonly=True) as session:
        proof = consistency_proof(DbHashReader(session), 30, size)
        note = latest_checkpoint(session)
    assert note is not None
    with pytest.raises(WitnessClientError) as refused:
        submit_checkpoint(witness.url, 30, proof, note.note)
    assert refused.value.status == 422


def test_witness_refuses_a_fork_at_the_same_size(
    db: Database, witnessed: Settings, witness: RunningWitness
) -> None:
    fast_append(db, 30)
    sign(db, witnessed)
    _rebuild(db, 30)
    sign(db, witnessed)
    with db.session(readonly=True) as session:
        note = latest_checkpoint(session)
    assert note is not None and note.cosigners == ()
    with pytest.raises(WitnessClientError) as refused:
        submit_checkpoint(witness.url, 30, [], note.note)
    assert refused.value.status in (409, 422)


def test_witness_refuses_a_rolled_back_log(
    db: Database, witnessed: Settings, witness: RunningWitness
) -> None:
    fast_append(db, 30)
    sign(db, witnessed)
    _rebuild(db, 27)
    size, _ = sign(db, witnessed)
    assert _cosigners(db, size) == []  # the platform sees the witness is ahead and stops
    with db.session(readonly=True) as session:
        note = latest_checkpoint(session)
    assert note is not None
    with pytest.raises(WitnessConflictError) as conflict:
        submit_checkpoint(witness.url, 0, [], note.note)
    assert conflict.value.size == 30  # 409, text/x.tlog.size: "I have seen 30"
    with pytest.raises(WitnessClientError) as refused:
        submit_checkpoint(witness.url, 30, [], note.note)
    assert refused.value.status == 400  # old size above the checkpoint's
