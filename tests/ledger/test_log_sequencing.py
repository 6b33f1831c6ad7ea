"""Sequencing under concurrency: many threads, several processes, rollbacks; no gaps."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError

from crossfin.core.db import Actor, Database
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from support.ledger import (
    assert_tree_intact,
    process_worker,
    record_events,
    stored_leaves,
)


def test_many_threads_get_distinct_gap_free_indexes(db: Database) -> None:
    def run(n: int) -> list[Receipt]:
        return record_events(db, 30, per_tx=1 + n % 4, actor=Actor(None, None, f"t{n}"))

    with ThreadPoolExecutor(8) as pool:  # .result() re-raises a thread's failure here
        receipts = [
            r for future in [pool.submit(run, n) for n in range(8)] for r in future.result()
        ]
    tree = assert_tree_intact(db)
    assert tree.size == 240
    # Every receipt names the leaf that was stored for its event.
    by_event = {event: (index, leaf) for index, event, leaf in stored_leaves(db)}
    for receipt in receipts:
        assert by_event[receipt.event_id] == (receipt.leaf_index, bytes.fromhex(receipt.leaf_hash))


@pytest.mark.slow
def test_several_processes_get_distinct_gap_free_indexes(db: Database) -> None:
    # spawn, not fork: each process builds its own engine, as API workers do.
    context = multiprocessing.get_context("spawn")
    jobs = [(db.url, worker, 3, 20) for worker in range(3)]
    with context.Pool(3) as pool:
        results = [pair for chunk in pool.map(process_worker, jobs) for pair in chunk]
    assert len(results) == 3 * 3 * 20
    assert sorted(index for _, index in results) == list(range(180))
    tree = assert_tree_intact(db)
    assert tree.size == 180
    stored = {event: index for index, event, _ in stored_leaves(db)}
    assert stored == dict(results)


def test_rolled_back_transaction_leaves_no_gap(db: Database) -> None:
    record_events(db, 3)
    actor = Actor(None, None, "rollback")
    with pytest.raises(RuntimeError), UnitOfWork(db, actor) as uow:
        receipt = uow.record(EventType.ORG_ADDED, subjects={}, content={})
        uow.sequence()  # the index is assigned and the head locked ...
        assert receipt.leaf_index == 3
        raise RuntimeError("... then the business transaction fails")
    with UnitOfWork(db, actor) as uow:
        again = uow.record(EventType.ORG_ADDED, subjects={}, content={})
        uow.commit()
    assert again.leaf_index == 3
    assert assert_tree_intact(db).size == 4


def test_failed_commit_leaves_no_gap(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A constraint violation found at flush time rolls back the events too (design (a):
    under group commit a duplicate event id would be found by the integrator, after the
    business COMMIT; event ids are 122 random bits, so only tampering makes one)."""
    monkeypatch.setattr(db, "group_commit", False)
    record_events(db, 2)
    first = record_events(db, 1)[0]
    with pytest.raises(IntegrityError), UnitOfWork(db, Actor(None, None, "dup")) as uow:
        uow.record(EventType.ORG_ADDED, subjects={}, content={})
        # A second event with an event id already in the log violates its unique key.
        uow.pending[-1].event_id = first.event_id
        uow.commit()
    assert assert_tree_intact(db).size == 3
    assert record_events(db, 1)[0].leaf_index == 3


def test_events_of_one_transaction_are_contiguous(db: Database) -> None:
    receipts = record_events(db, 50, per_tx=25)
    assert [r.leaf_index for r in receipts] == list(range(50))
