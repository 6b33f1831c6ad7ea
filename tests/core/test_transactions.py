"""Transactions: a use case's steps each in a transaction of its own, or all in the caller's
unit of work, where a failed step undoes only itself (its ledger events included)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.core.idempotency import IdempotencyRecord
from crossfin.ledger.events import EventType
from crossfin.ledger.models import LedgerEvent, LogHead
from crossfin.ledger.uow import Transactions, UnitOfWork

ACTOR = Actor(None, None, "test")


def remember(uow: UnitOfWork, key: str) -> None:
    uow.session.add(
        IdempotencyRecord(
            org_id=1, key=key, fingerprint="f", status=201, body=b"{}", created_at=utcnow()
        )
    )
    uow.session.flush()


def note(uow: UnitOfWork, what: str) -> None:
    uow.record(EventType.ORG_ADDED, subjects={"org": 1}, content={"what": what})


def state(db: Database) -> tuple[list[str], int]:
    with db.session(readonly=True) as session:
        keys = list(session.scalars(select(IdempotencyRecord.key).order_by(IdempotencyRecord.key)))
        return keys, session.scalar(select(LogHead.size)) or 0


def test_within_a_failed_step_undoes_only_itself(db: Database) -> None:
    _, size = state(db)
    with UnitOfWork(db, ACTOR) as uow:
        tx = Transactions.within(uow)
        assert not tx.owned

        def good(step_uow: UnitOfWork) -> str:
            remember(step_uow, "a")
            note(step_uow, "good")
            return "ok"

        def clashing(step_uow: UnitOfWork) -> None:
            note(step_uow, "clashing")
            remember(step_uow, "b")
            remember(step_uow, "a")  # unique violation

        def sequenced_then_failed(step_uow: UnitOfWork) -> None:
            note(step_uow, "late")
            step_uow.sequence()  # sequences "good" too, then the step fails
            raise RuntimeError("boom")

        assert tx.write(good) == "ok"
        with pytest.raises(IntegrityError):
            tx.write(clashing)
        with pytest.raises(RuntimeError):
            tx.write(sequenced_then_failed)
        assert [e.event_type for e in uow.pending] == [EventType.ORG_ADDED]
        remember(uow, "c")  # the caller's transaction goes on
        uow.commit()
    keys, after = state(db)
    assert keys == ["a", "c"] and after == size + 1
    with db.session(readonly=True) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(LedgerEvent).where(LedgerEvent.leaf_index >= size)
            )
            == 1
        )


def test_own_steps_commit_or_roll_back_each(db: Database) -> None:
    _, size = state(db)
    tx = Transactions.own(db, ACTOR)
    assert tx.owned
    tx.write(lambda uow: (remember(uow, "a"), note(uow, "one")))
    with pytest.raises(IntegrityError):
        tx.write(lambda uow: (note(uow, "two"), remember(uow, "a")))
    row = tx.read(lambda uow: uow.session.get(IdempotencyRecord, (1, "a")))
    assert row is not None and row.key == "a"  # usable after its read ended
    assert state(db) == (["a"], size + 1)
