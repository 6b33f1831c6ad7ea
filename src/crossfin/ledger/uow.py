"""The unit of work: one transaction per request or command, ledger events included."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from crossfin.core.db import Actor, Database
from crossfin.ledger.integrator import enqueue, integrator
from crossfin.ledger.journal import PendingEvent, Receipt, new_event
from crossfin.ledger.sequencer import (
    COPY_FROM,
    DriverStatement,
    lock_head,
    sequence,
    sequence_if_free,
)

if TYPE_CHECKING:
    from crossfin.ledger.events import EventType


class Finisher(Protocol):
    """Work a higher floor gathers in a session during a transaction and does at its end,
    under the log head lock (parties' statistics: deltas summed per cell, then upserted).

    Under the head lock because writers then take it one at a time: rows every writer
    updates (a county's monthly cell) are locked in one order, by one writer at a time, so
    they never deadlock, and hold their lock only until the COMMIT that follows.
    Registered at assembly (`add_finisher`), never on import.
    """

    def pending(self, session: Session) -> bool:
        """Whether the session holds work to do."""

    def finish(self, session: Session) -> None:
        """Do the work, in the session's transaction, and forget it."""

    def mark(self, session: Session) -> object:
        """A mark of the work gathered so far (before a savepoint)."""

    def undo_to(self, session: Session, mark: object) -> None:
        """Forget the work gathered since `mark` (its savepoint rolled back)."""

    def as_statements(self, session: Session) -> list[DriverStatement] | None:
        """The work as driver statements to send with the appends (and forget it), or
        None when it must be done by `finish` (a dialect that has no use for it)."""


FINISHERS: list[Finisher] = []


def add_finisher(finisher: Finisher) -> None:
    """Have every unit of work run `finisher` when it sequences (once per finisher)."""
    if finisher not in FINISHERS:
        FINISHERS.append(finisher)


class UnitOfWork:
    """Owns one session and one transaction; services use it and never commit."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        *,
        readonly: bool = False,
        session: Session | None = None,
    ) -> None:
        self.db = db
        self.actor = actor
        self.readonly = readonly
        self.session: Session = session or db.session(readonly=readonly)
        self.pending: list[PendingEvent] = []
        self._committed = False
        self._head_locked = False

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.session.rollback()
            for finisher in FINISHERS:
                finisher.undo_to(self.session, None)
        self.session.close()

    @contextmanager
    def acting_as(self, actor: Actor | None) -> Iterator[None]:
        """Record events as `actor` meanwhile (keep this unit of work's own actor if None).

        The previous actor comes back afterwards, also when the block raises.
        """
        if actor is None:
            yield
            return
        saved, self.actor = self.actor, actor
        try:
            yield
        finally:
            self.actor = saved

    def record(
        self,
        event_type: EventType,
        *,
        subjects: dict[str, Any],
        content: Any,
        parties: set[int] | frozenset[int] = frozenset(),
        state: Mapping[str, str | None] | None = None,
        state_tree: Mapping[str, Any] | None = None,
    ) -> Receipt:
        """Queue one ledger event for this transaction; the receipt fills in at commit.

        `state` maps `kind:id` to the state digest of every business row the event leaves
        changed (ledger/state.py); `state_tree` commits to many rows at once.
        """
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot record events")
        event = new_event(event_type, self.actor, subjects, content, parties, state, state_tree)
        self.pending.append(event)
        return event.receipt

    def sequence(self) -> None:
        """Give queued events their leaf indexes, taking the log head lock as late as possible.

        Call it only when nothing but the commit (or small bookkeeping) follows: from here
        until COMMIT every other writer waits on the head. The finishers' work (statistics)
        is done here too, under the lock, after the events.
        """
        if self.pending:
            self.session.flush()
            sequence(self.session, self.pending, self._riding_along())
            self.pending = []
            self._head_locked = True
        for finisher in FINISHERS:
            if finisher.pending(self.session):
                if not self._head_locked:
                    self.session.flush()
                    lock_head(self.session)
                    self._head_locked = True
                finisher.finish(self.session)

    def _riding_along(self) -> list[DriverStatement]:
        """The finishers' work that goes in the appends' round trip (what is left to do
        after it, `finish` does)."""
        statements: list[DriverStatement] = []
        for finisher in FINISHERS:
            if finisher.pending(self.session):
                statements += finisher.as_statements(self.session) or []
        return statements

    def commit(self) -> None:
        """Sequence queued events and commit everything at once.

        On PostgreSQL a few events with no finisher work go by group commit instead when
        the head is busy (ledger/integrator.py): queued with the change, committed without
        the head lock, and placed in the tree by the next integrator round before this
        returns, so the receipts carry their leaf index either way. When the head is free
        they are sequenced here as usual: a writer alone pays one flush, not two.
        """
        queued: list[PendingEvent] = []
        if self._grouped():
            self.session.flush()
            place = integrator(self.db)
            if place.busy() or not sequence_if_free(self.session, self.pending):
                enqueue(self.session.connection(), self.pending)
                queued = self.pending
            self.pending = []
        else:
            self.sequence()
        self.session.commit()
        self._committed = True
        if queued:
            place.settle(queued)

    def _grouped(self) -> bool:
        """Whether this commit goes by group commit: enabled (PostgreSQL), events to place,
        the head not taken yet, fewer than a bulk batch (those go by COPY under the head),
        and no finisher's work, which is done under the head lock (`Finisher`)."""
        return (
            bool(self.pending)
            and self.db.group_commit
            and not self._head_locked
            and len(self.pending) < COPY_FROM
            and not any(finisher.pending(self.session) for finisher in FINISHERS)
        )


T = TypeVar("T")


class Transactions:
    """Where the steps of a use case run: each in a transaction of its own, or in the caller's.

    `Transactions.own(db, actor)`: each `write` step is a unit of work of its own, committed
    when the step returns and rolled back when it raises; each `read` step a read-only one.
    For requests, pages and commands.

    `Transactions.within(uow)`: every step runs in the caller's unit of work, which the caller
    commits; a `write` step runs in a savepoint, so a step that raises (a unique violation,
    say) undoes only itself, its queued ledger events included, and the caller's transaction
    goes on. For loaders that do everything in one transaction (the demo).

    A use case written against this runs the same steps in the same order either way.
    """

    def __init__(self, db: Database, actor: Actor, uow: UnitOfWork | None = None) -> None:
        self.db, self.actor, self._uow = db, actor, uow

    @classmethod
    def own(cls, db: Database, actor: Actor) -> Transactions:
        return cls(db, actor)

    @classmethod
    def within(cls, uow: UnitOfWork) -> Transactions:
        return cls(uow.db, uow.actor, uow)

    @property
    def owned(self) -> bool:
        """True when each write step commits on its own (a step may then sequence its
        events itself, since only the commit follows)."""
        return self._uow is None

    def write(self, step: Callable[[UnitOfWork], T]) -> T:
        """Run a state change: committed on return, undone (and re-raised) on an exception."""
        uow = self._uow
        if uow is None:
            with UnitOfWork(self.db, self.actor) as own:
                result = step(own)
                own.commit()
            return result
        pending = list(uow.pending)
        marks = [(f, f.mark(uow.session)) for f in FINISHERS]
        try:
            with uow.session.begin_nested():
                return step(uow)
        except BaseException:
            uow.pending = pending  # events of the undone step go; sequenced ones come back
            for finisher, mark in marks:  # and so does the work it gathered
                finisher.undo_to(uow.session, mark)
            raise

    def read(self, step: Callable[[UnitOfWork], T]) -> T:
        """Run a read; ORM rows it returns stay usable afterwards (detached when it was a
        transaction of its own)."""
        if self._uow is not None:
            return step(self._uow)
        with UnitOfWork(self.db, self.actor, readonly=True) as own:
            result = step(own)
            own.session.expunge_all()  # keep their loaded state past the read's rollback
        return result
