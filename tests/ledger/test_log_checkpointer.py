"""The checkpointer: election, cadence, on-demand signing, configuration checks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crossfin.api.app import create_app
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.checkpointer import (
    BackgroundCheckpointer,
    Checkpointer,
    checkpoint_now,
    configured_witnesses,
    start_background,
)
from crossfin.ledger.cosignature import generate_cosigner
from crossfin.ledger.election import Election, election_for, lock_file_path
from crossfin.ledger.models import Checkpoint
from crossfin.ledger.note import open_note
from crossfin.ledger.store import read_head
from support.ledger import fast_append, quiet_settings, record_events


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


@dataclass
class CountingElection:
    """Wraps an election and remembers whether it was ever won."""

    inner: Election
    won: list[bool] = field(default_factory=list)

    def acquire(self) -> bool:
        got = self.inner.acquire()
        if got:
            self.won.append(True)
        return got

    def release(self) -> None:
        self.inner.release()


def _checkpoints(db: Database) -> list[tuple[int, bytes, str]]:
    with db.session(readonly=True) as session:
        rows = session.execute(
            select(Checkpoint.size, Checkpoint.root, Checkpoint.note).order_by(Checkpoint.size)
        )
        return [(s, r, n) for s, r, n in rows]


def _head_size(db: Database) -> int:
    with db.session(readonly=True) as session:
        return read_head(session).size


def test_only_the_elected_checkpointer_signs(db: Database, conf: Settings) -> None:
    first, second = Checkpointer(db, conf), Checkpointer(db, conf)
    try:
        assert first.lead()
        assert not second.lead()
        record_events(db, 3)
        assert first.run_once().signed
        assert not first.run_once().signed  # nothing new: nothing signed
        assert not second.lead()
        first.close()
        assert second.lead()  # the lead passes on once released
        record_events(db, 2)
        outcome = second.run_once()
        assert outcome.signed and outcome.checkpoint is not None
        assert outcome.checkpoint.size == 5
    finally:
        first.close()
        second.close()
    assert [size for size, _, _ in _checkpoints(db)] == [3, 5]


def test_two_background_checkpointers_elect_one(db: Database, conf: Settings) -> None:
    elections = [CountingElection(election_for(db, conf)) for _ in range(2)]
    runners = [BackgroundCheckpointer(Checkpointer(db, conf, election=e), 0.02) for e in elections]
    for runner in runners:
        runner.start()
    try:
        for _ in range(5):
            fast_append(db, 10)
            time.sleep(0.08)
        _wait_for_checkpoint(db, _head_size(db))
        # Read before stopping: once the leader stops and lets go, the other may take over
        # in the moment before it is stopped too, which is the election working.
        winners = sorted(bool(e.won) for e in elections)
    finally:
        for runner in runners:
            runner.stop()
    assert winners == [False, True]
    verifier = keys.log_signer(conf).verifier()
    sizes = []
    for size, root, note in _checkpoints(db):
        body = parse_checkpoint(open_note(note, [verifier])[0])
        assert (body.size, body.root) == (size, root)
        sizes.append(size)
    assert sizes == sorted(set(sizes))


def _wait_for_checkpoint(db: Database, size: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _checkpoints(db)
        if found and found[-1][0] >= size:
            return
        time.sleep(0.02)
    raise AssertionError(f"no checkpoint of size {size} within {timeout} s")


def test_the_app_runs_the_cadence_while_it_serves(db: Database, conf: Settings) -> None:
    cadence = conf.model_copy(update={"checkpoint_interval": 0.05})
    with TestClient(create_app(cadence, db)):
        record_events(db, 4)
        _wait_for_checkpoint(db, _head_size(db))
        record_events(db, 2)
        _wait_for_checkpoint(db, _head_size(db))
    stopped = len(_checkpoints(db))
    record_events(db, 1)
    time.sleep(0.2)
    assert len(_checkpoints(db)) == stopped  # the thread ended with the app


def test_on_demand_waits_for_the_leader(db: Database, conf: Settings) -> None:
    leader = BackgroundCheckpointer(Checkpointer(db, conf), 0.05)
    leader.checkpointer.lead()
    leader.start()
    try:
        record_events(db, 3)
        done = checkpoint_now(db, conf, wait=10)
    finally:
        leader.stop()
    assert not done.signed_here
    assert done.checkpoint is not None and done.checkpoint.size == 3


def test_on_demand_gives_up_when_the_leader_is_stuck(db: Database, conf: Settings) -> None:
    stuck = Checkpointer(db, conf)
    try:
        assert stuck.lead()
        record_events(db, 1)
        with pytest.raises(TimeoutError):
            checkpoint_now(db, conf, wait=0.2)
    finally:
        stuck.close()


def test_witness_settings_are_checked(conf: Settings) -> None:
    _, vkey = generate_cosigner("witness.test/w")
    with pytest.raises(ValueError, match="pair by position"):
        configured_witnesses(
            conf.model_copy(
                update={"witness_urls": ["http://a", "http://b"], "witness_keys": [vkey]}
            )
        )
    with pytest.raises(ValueError, match="quorum"):
        configured_witnesses(conf.model_copy(update={"witness_quorum": 1}))
    pair = conf.model_copy(update={"witness_urls": ["http://a"], "witness_keys": [vkey]})
    assert [w.name for w in configured_witnesses(pair)] == ["witness.test/w"]


def test_background_is_off_without_interval_or_key(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    assert start_background(db, conf) is None  # interval 0
    keyless = conf.model_copy(update={"checkpoint_interval": 1.0, "data_dir": tmp_path / "x"})
    assert start_background(db, keyless) is None


def test_lock_file_sits_next_to_a_sqlite_database(tmp_path: Path) -> None:
    assert lock_file_path("sqlite:////srv/db/crossfin.db", tmp_path) == Path(
        "/srv/db/crossfin.db.checkpointer.lock"
    )
    assert lock_file_path("sqlite://", tmp_path) == tmp_path / "checkpointer.lock"
    assert lock_file_path("sqlite:///:memory:", tmp_path) == tmp_path / "checkpointer.lock"
