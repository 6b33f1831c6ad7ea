"""Group commit on PostgreSQL (design (b), ledger/integrator.py): what it must keep.

Every test of sequencing elsewhere runs through it too on PostgreSQL, since single-event
units of work take it by default; these check what is particular to it: the queue, the
rounds shared between threads, events placed by another process's round, and a kill -9
while groups are being committed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings
from crossfin.ledger.events import EventType
from crossfin.ledger.integrator import GROUP_LIMIT, drain, enqueue, integrate_group, integrator
from crossfin.ledger.journal import Receipt, new_event
from crossfin.ledger.models import LedgerEventParty, QueuedEvent
from crossfin.ledger.sequencer import COPY_FROM, lock_head
from crossfin.ledger.uow import UnitOfWork
from support.ledger import (
    assert_tree_intact,
    quiet_settings,
    record_events,
    sign,
    stored_leaves,
)

TESTS = Path(__file__).resolve().parents[1]
ACTOR = Actor(None, None, "group-test")


@pytest.fixture
def pg(db: Database) -> Database:
    if not db.group_commit:
        pytest.skip("group commit serves PostgreSQL only")
    return db


def queued(db: Database) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(QueuedEvent)) or 0


def test_sqlite_never_groups(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite only")
    assert not db.group_commit
    with UnitOfWork(db, ACTOR) as uow:
        uow.record(EventType.ORG_ADDED, subjects={}, content={})
        assert not uow._grouped()


def test_setting_turns_it_off(pg: Database, settings: Settings) -> None:
    conf = settings.model_copy(update={"database_url": pg.url, "ledger_group_commit": False})
    off = Database.from_settings(conf)
    try:
        assert not off.group_commit
        with UnitOfWork(off, ACTOR) as uow:
            uow.record(EventType.ORG_ADDED, subjects={}, content={})
            assert not uow._grouped()
    finally:
        off.dispose()


def test_the_checkpointer_places_what_a_dead_writer_left_queued(
    pg: Database, settings: Settings
) -> None:
    """Events committed to the queue whose writer never waited for a round are in the
    next checkpoint."""
    events = [new_event(EventType.ORG_ADDED, ACTOR, {"n": n}, {}, set()) for n in range(3)]
    with pg.engine.begin() as conn:
        enqueue(conn, events)
    size, _ = sign(pg, quiet_settings(settings))
    assert size == 3
    assert queued(pg) == 0
    assert [e for _, e, _ in stored_leaves(pg)] == [e.event_id for e in events]


def start_writers(
    db: Database, threads: int, each: int
) -> tuple[list[threading.Thread], list[Receipt]]:
    """`threads` writers of `each` single-event units of work, started; their receipts
    fill the list as they commit (join the threads before reading it)."""
    receipts: list[Receipt] = []
    lock = threading.Lock()

    def run(thread: int) -> None:
        got = record_events(db, each, actor=Actor(None, None, f"t{thread}"))
        with lock:
            receipts.extend(got)

    started = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in started:
        t.start()
    return started, receipts


class HeldHead:
    """Another transaction holding the log head (a long design-(a) writer, say)."""

    def __init__(self, db: Database) -> None:
        self.uow = UnitOfWork(db, Actor(None, None, "holder"))
        lock_head(self.uow.session)

    def release(self) -> None:
        self.uow.commit()
        self.uow.__exit__(None, None, None)


def wait_until(condition, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_writer_alone_takes_the_free_head_and_never_queues(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_queue(*args: object) -> None:
        raise AssertionError("queued although the head was free")

    monkeypatch.setattr("crossfin.ledger.uow.enqueue", no_queue)
    receipts = record_events(pg, 3)
    assert [r.leaf_index for r in receipts] == [0, 1, 2]


def test_a_writer_that_finds_the_head_busy_queues_and_answers_once_placed(
    pg: Database,
) -> None:
    record_events(pg, 3)
    held = HeldHead(pg)
    got: list[Receipt] = []

    def write() -> None:
        with UnitOfWork(pg, ACTOR) as uow:
            got.append(uow.record(EventType.ORG_ADDED, subjects={}, content={}, parties={7}))
            assert uow._grouped()
            uow.commit()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_until(lambda: queued(pg) == 1)  # committed, in the queue ...
        time.sleep(0.2)
        assert writer.is_alive()  # ... and no answer before it is in the tree
        assert got[0].leaf_index is None
    finally:
        held.release()
    writer.join(20)
    assert not writer.is_alive()
    assert got[0].leaf_index == 3
    assert queued(pg) == 0
    assert stored_leaves(pg)[3] == (3, got[0].event_id, bytes.fromhex(got[0].leaf_hash))
    assert assert_tree_intact(pg).size == 4


def test_bulk_and_explicit_sequencing_keep_the_head_lock(pg: Database) -> None:
    with UnitOfWork(pg, ACTOR) as uow:
        for n in range(COPY_FROM):
            uow.record(EventType.ORG_ADDED, subjects={"n": n}, content={})
        assert not uow._grouped()  # a bulk batch goes by COPY under the head lock
    with UnitOfWork(pg, ACTOR) as uow:
        receipt = uow.record(EventType.ORG_ADDED, subjects={}, content={})
        uow.sequence()  # the caller needs the index inside its transaction
        assert receipt.leaf_index == 0
        assert not uow._grouped()
        uow.commit()
    assert queued(pg) == 0


def test_queued_rows_wait_for_a_round_and_keep_their_parties(pg: Database) -> None:
    """A writer that dies after its COMMIT leaves its event queued; `drain` places it."""
    events = [new_event(EventType.ORG_ADDED, ACTOR, {"n": n}, {}, {3, 11}) for n in range(3)]
    with pg.engine.begin() as conn:
        enqueue(conn, events)
    assert queued(pg) == 3
    assert stored_leaves(pg) == []
    drain(pg)
    assert queued(pg) == 0
    assert [e for _, e, _ in stored_leaves(pg)] == [e.event_id for e in events]
    assert_tree_intact(pg)
    with pg.session(readonly=True) as session:
        parties = session.execute(
            select(LedgerEventParty.leaf_index, LedgerEventParty.org_id).order_by(
                LedgerEventParty.leaf_index, LedgerEventParty.org_id
            )
        ).all()
    assert [tuple(p) for p in parties] == [(i, org) for i in range(3) for org in (3, 11)]


def test_a_group_is_limited_and_the_rest_follows(pg: Database) -> None:
    events = [new_event(EventType.ORG_ADDED, ACTOR, {"n": n}, {}, set()) for n in range(5)]
    with pg.engine.begin() as conn:
        enqueue(conn, events)
    wanted = [e.event_id for e in events]
    with pg.engine.begin() as conn:
        count, found = integrate_group(conn, wanted, limit=2)
    assert count == 2
    assert found == {events[0].event_id: 0, events[1].event_id: 1}  # the rest still queued
    assert queued(pg) == 3
    drain(pg)
    assert queued(pg) == 0
    assert assert_tree_intact(pg).size == 5
    assert GROUP_LIMIT >= 1000


def test_waiting_writers_share_one_round(pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """16 writers queue while the head is busy; the rounds after it place them in fewer
    groups than events, each event at its own leaf."""
    import crossfin.ledger.integrator as module

    groups: list[int] = []
    real = module.integrate_group

    def counting(conn, wanted=(), limit=GROUP_LIMIT):  # type: ignore[no-untyped-def]
        count, found = real(conn, wanted, limit)
        if count:
            groups.append(count)
        return count, found

    monkeypatch.setattr(module, "integrate_group", counting)
    held = HeldHead(pg)
    threads, receipts = start_writers(pg, 16, 1)
    try:
        wait_until(lambda: queued(pg) == 16)
    finally:
        held.release()
    for t in threads:
        t.join(20)
    assert sorted(r.leaf_index for r in receipts if r.leaf_index is not None) == list(range(16))
    assert sum(groups) == 16
    assert len(groups) < 16  # groups held more than one event
    assert queued(pg) == 0
    assert assert_tree_intact(pg).size == 16


def test_many_writers_at_once(pg: Database) -> None:
    """Writers that find the head free or busy, mixed: distinct gap-free leaves."""
    threads, receipts = start_writers(pg, 16, 15)
    for t in threads:
        t.join()
    assert assert_tree_intact(pg).size == 240
    assert sorted(r.leaf_index for r in receipts if r.leaf_index is not None) == list(range(240))
    assert queued(pg) == 0


def test_events_placed_by_another_process_get_their_leaves(pg: Database) -> None:
    """A second Database object stands for another process: its own integrator. The
    waiters' own round finds the queue empty and still answers their leaf indexes."""
    other = Database(pg.url)
    try:
        events = [new_event(EventType.ORG_ADDED, ACTOR, {"n": n}, {}, set()) for n in range(2)]
        with pg.engine.begin() as conn:
            enqueue(conn, events)
        drain(other)  # the other "process" places them ...
        integrator(pg).settle(events)  # ... and this one's waiters learn their leaves
        assert [e.receipt.leaf_index for e in events] == [0, 1]
    finally:
        other.dispose()


@pytest.mark.slow
def test_kill_during_group_commit_loses_no_acknowledged_event(pg: Database, tmp_path: Path) -> None:
    """kill -9 a process of 16 writers at random moments while its rounds commit groups:
    every event it acknowledged is at the leaf it was told, no group is half written, and
    what it queued but never saw placed is placed by the next round."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    acks = tmp_path / "acks.txt"
    rng = random.Random(20261206)
    for _ in range(3):
        before = acks.stat().st_size if acks.exists() else 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "support.group_writer", pg.url, str(acks), "16"], env=env
        )
        try:
            deadline = time.monotonic() + 60
            while (acks.stat().st_size if acks.exists() else 0) - before < 8000:
                assert proc.poll() is None, "the writer process stopped by itself"
                assert time.monotonic() < deadline, "the writer acknowledged too little"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.3))  # somewhere inside a round, most likely
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    acknowledged = {}
    for line in acks.read_text(encoding="ascii").splitlines(keepends=True):
        if line.endswith("\n"):  # a line the kill cut short was never acknowledged
            event_id, index = line.split()
            acknowledged[event_id] = int(index)
    assert len(acknowledged) > 300
    # A killed client's backend finishes the statement it was running (a round may still
    # commit its group) before it notices: read the tree once no other backend is busy.
    _wait_until_quiet(pg)
    assert_tree_intact(pg)  # no half-written group: the head matches the stored leaves
    drain(pg)  # events committed to the queue but never placed: the next round's
    assert queued(pg) == 0
    tree = assert_tree_intact(pg)
    stored = {event: index for index, event, _ in stored_leaves(pg)}
    assert {e: stored.get(e) for e in acknowledged} == acknowledged
    assert tree.size >= len(acknowledged)


def _wait_until_quiet(db: Database, timeout: float = 30.0) -> None:
    """Until no other backend of this database runs a statement (the dead writers')."""
    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND state <> 'idle' AND backend_type = 'client backend'"
    )
    deadline = time.monotonic() + timeout
    while True:
        with db.engine.connect() as conn:
            if not conn.scalar(busy):
                return
        assert time.monotonic() < deadline, "the killed writers' statements never ended"
        time.sleep(0.05)
