"""The driver-SQL sequencer writes the rows the ORM wrote, locks the head, reports errors."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError

from crossfin.core.db import Actor, Database
from crossfin.ledger.events import EventType
from crossfin.ledger.models import LedgerEvent, LedgerEventParty, LogHead
from crossfin.ledger.sequencer import COPY_FROM, sequence
from crossfin.ledger.store import read_head
from crossfin.ledger.uow import UnitOfWork
from support.ledger import assert_tree_intact, record_events

ACTOR = Actor(5, 6, "perf")


def orm_bound(db: Database, column: str, value: datetime) -> object:
    """What the ORM itself would send for `value` in a UTCDateTime column."""
    dialect = db.engine.dialect
    kind = LedgerEvent.__table__.c[column].type
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


def test_rows_are_those_the_orm_would_write(db: Database) -> None:
    before = datetime.now(UTC)
    receipts = record_events(db, 3, per_tx=2, actor=ACTOR, parties=frozenset({8, 9}))
    after = datetime.now(UTC)
    with db.session(readonly=True) as session:
        events = session.scalars(select(LedgerEvent).order_by(LedgerEvent.leaf_index)).all()
        parties = session.execute(
            select(LedgerEventParty.leaf_index, LedgerEventParty.org_id).order_by(
                LedgerEventParty.leaf_index, LedgerEventParty.org_id
            )
        ).all()
        raw = (
            session.connection()
            .exec_driver_sql("SELECT created_at FROM ledger_events ORDER BY leaf_index")
            .scalars()
            .all()
        )
        head = read_head(session)
        raw_head = (
            session.connection().exec_driver_sql("SELECT updated_at FROM ledger_head").scalar_one()
        )
    assert [(e.leaf_index, e.event_id, e.leaf_hash.hex()) for e in events] == [
        (r.leaf_index, r.event_id, r.leaf_hash) for r in receipts
    ]
    assert {(e.type, e.actor_org_id) for e in events} == {("parties:org:add", 5)}
    assert [p for p in parties] == [(i, org) for i in range(3) for org in (5, 8, 9)]
    for event, stored in zip(events, raw, strict=True):
        assert before <= event.created_at <= after and event.created_at.tzinfo is not None
        assert stored == orm_bound(db, "created_at", event.created_at)
    assert head.updated_at == events[-1].created_at
    assert raw_head == orm_bound(db, "created_at", head.updated_at)
    assert assert_tree_intact(db).size == 3


def test_a_head_read_earlier_in_the_session_is_refreshed(db: Database) -> None:
    with UnitOfWork(db, ACTOR) as uow:
        assert read_head(uow.session).size == 0
        uow.record(EventType.ORG_ADDED, subjects={}, content={})
        uow.sequence()
        head = read_head(uow.session)
        assert head.size == 1 and head.edge == head.root
        uow.commit()


def test_nothing_to_sequence_writes_nothing(db: Database) -> None:
    with UnitOfWork(db, ACTOR) as uow:
        sequence(uow.session, [])
        uow.commit()
    assert assert_tree_intact(db).size == 0


def test_a_missing_head_is_refused(db: Database) -> None:
    with UnitOfWork(db, ACTOR) as uow:
        uow.session.execute(delete(LogHead))
        uow.record(EventType.ORG_ADDED, subjects={}, content={})
        with pytest.raises(RuntimeError, match="no head row"):
            uow.commit()
    assert record_events(db, 1)[0].leaf_index == 0


def test_driver_errors_arrive_as_sqlalchemy_errors_and_roll_back(db: Database) -> None:
    record_events(db, 2)
    with UnitOfWork(db, ACTOR) as uow:
        uow.session.execute(
            text(  # a stray row where the next leaf must go
                "INSERT INTO ledger_events (leaf_index, event_id, type, record, leaf_hash, "
                "actor_org_id, created_at) VALUES (2, 'stray', 't', :b, :b, NULL, :t)"
            ),
            {"b": b"x", "t": datetime.now(UTC)},
        )
        uow.session.commit()
    with pytest.raises(IntegrityError) as caught, UnitOfWork(db, ACTOR) as uow:
        ids = [
            uow.record(EventType.ORG_ADDED, subjects={"n": n}, content={}).event_id
            for n in range(3)
        ]
        uow.commit()
    # The message names no parameters: records are private.
    assert not any(i in str(caught.value) for i in ids)
    with db.engine.begin() as conn:
        conn.execute(delete(LedgerEvent).where(LedgerEvent.event_id == "stray"))
    assert [r.leaf_index for r in record_events(db, 2)] == [2, 3]
    assert assert_tree_intact(db).size == 4


def test_a_second_appender_waits_for_the_first_to_commit(db: Database) -> None:
    record_events(db, 1)
    done: list[int | None] = []

    def second() -> None:
        done.extend(r.leaf_index for r in record_events(db, 1))

    waiter = threading.Thread(target=second)
    with UnitOfWork(db, ACTOR) as first:
        receipt = first.record(EventType.ORG_ADDED, subjects={}, content={})
        first.sequence()  # the head is now locked until this transaction ends
        assert receipt.leaf_index == 1
        waiter.start()
        time.sleep(0.5)
        assert not done, "the second appender did not wait for the head"
        first.commit()
    waiter.join(30)
    assert done == [2]
    assert assert_tree_intact(db).size == 3


def test_a_large_batch_writes_the_rows_a_small_one_does(db: Database) -> None:
    # From COPY_FROM events on, PostgreSQL gets the rows by binary COPY: the same rows,
    # times and tree as the pipelined INSERTs of a small batch (SQLite: executemany both).
    before = datetime.now(UTC)
    small = record_events(db, 3, per_tx=3, actor=ACTOR, parties=frozenset({8}))
    large = record_events(
        db, COPY_FROM + 7, per_tx=COPY_FROM + 7, actor=ACTOR, parties=frozenset({8, 9})
    )
    after = datetime.now(UTC)
    with db.session(readonly=True) as session:
        events = session.scalars(select(LedgerEvent).order_by(LedgerEvent.leaf_index)).all()
        parties = session.execute(
            select(LedgerEventParty.leaf_index, LedgerEventParty.org_id).order_by(
                LedgerEventParty.leaf_index, LedgerEventParty.org_id
            )
        ).all()
    receipts = small + large
    assert [r.leaf_index for r in receipts] == list(range(len(receipts)))
    assert [(e.leaf_index, e.event_id, e.leaf_hash.hex()) for e in events] == [
        (r.leaf_index, r.event_id, r.leaf_hash) for r in receipts
    ]
    assert all(before <= e.created_at <= after and e.actor_org_id == 5 for e in events)
    assert {e.type for e in events} == {"parties:org:add"}
    expected = [(i, org) for i in range(3) for org in (5, 8)]
    expected += [(i, org) for i in range(3, len(receipts)) for org in (5, 8, 9)]
    assert list(parties) == expected
    assert assert_tree_intact(db).size == len(receipts)
    with db.session(readonly=True) as session:
        record = session.scalar(select(LedgerEvent.record).where(LedgerEvent.leaf_index == 9))
    assert record is not None and b'"subjects":{"n":6}' in record  # bytes stored as sent


def test_a_large_batch_refused_by_the_database_rolls_back_whole(db: Database) -> None:
    record_events(db, 1)
    with UnitOfWork(db, ACTOR) as uow:
        uow.session.execute(
            text(  # a stray row where a leaf of the batch must go
                "INSERT INTO ledger_events (leaf_index, event_id, type, record, leaf_hash, "
                "actor_org_id, created_at) VALUES (40, 'stray', 't', :b, :b, NULL, :t)"
            ),
            {"b": b"x", "t": datetime.now(UTC)},
        )
        uow.session.commit()
    with pytest.raises(IntegrityError), UnitOfWork(db, ACTOR) as uow:
        for n in range(COPY_FROM):
            uow.record(EventType.ORG_ADDED, subjects={"n": n}, content={})
        uow.commit()
    with db.engine.begin() as conn:
        conn.execute(delete(LedgerEvent).where(LedgerEvent.event_id == "stray"))
    assert [r.leaf_index for r in record_events(db, 2)] == [1, 2]
    assert assert_tree_intact(db).size == 3
