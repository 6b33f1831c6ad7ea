"""The financing change clock: a commit-ordered number on every financing change.

Timestamps cannot drive a reconciliation cursor: a transaction that stamped an earlier
time may commit after a reader has already paged past it. Instead, the last step of every
financing change bumps one counter row; the row lock is held until COMMIT, so numbers
become visible in exactly the order they were handed out and a cursor "after N" never
skips a change. The lock is taken last (just before the ledger head, which the unit of
work takes at commit), keeping the serialised part of each transaction short.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import insert_for
from crossfin.financing.models import Financing, FinancingClock

CLOCK_ID = 1


def tick(session: Session) -> int:
    """The next change number, holding the clock row until the transaction ends."""
    # On the Table, not the class: a Core statement skips the ORM's bulk-update bookkeeping.
    clock = cast(Table, FinancingClock.__table__)
    bump = (
        update(clock)
        .where(clock.c.id == CLOCK_ID)
        .values(value=clock.c.value + 1)
        .returning(clock.c.value)
    )
    value = session.execute(bump).scalar_one_or_none()
    if value is None:  # first change on an empty database
        session.execute(
            insert_for(session)(FinancingClock)
            .values(id=CLOCK_ID, value=0)
            .on_conflict_do_nothing()
        )
        value = session.execute(bump).scalar_one()
    return int(value)


def stamp(session: Session, *financings: Financing) -> None:
    """Mark financings as changed now; call it as the last step of the change."""
    seq, now = tick(session), utcnow()
    for financing in financings:
        financing.change_seq = seq
        financing.updated_at = now
