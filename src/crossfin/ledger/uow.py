"""The unit of work: one transaction per request or command, ledger events included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from crossfin.core.db import Actor, Database
from crossfin.ledger.journal import PendingEvent, Receipt, new_event
from crossfin.ledger.sequencer import sequence

if TYPE_CHECKING:
    from crossfin.ledger.events import EventType


class UnitOfWork:
    """Owns one session and one transaction; services use it and never commit."""

    def __init__(
        self, db: Database, actor: Actor, *, readonly: bool = False,
        session: Session | None = None,
    ) -> None:
        self.db = db
        self.actor = actor
        self.readonly = readonly
        self.session: Session = session or db.session(readonly=readonly)
        self.pending: list[PendingEvent] = []
        self._committed = False

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
    ) -> Receipt:
        """Queue one ledger event for this transaction; the receipt fills in at commit."""
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot record events")
        event = new_event(event_type, self.actor, subjects, content, parties)
        self.pending.append(event)
        return event.receipt

    def sequence(self) -> None:
        """Give queued events their leaf indexes, taking the log head lock as late as possible.

        Call it only when nothing but the commit (or small bookkeeping) follows: from here
        until COMMIT every other writer waits on the head.
        """
        if self.pending:
            self.session.flush()
            sequence(self.session, self.pending)
            self.pending = []

    def commit(self) -> None:
        """Sequence queued events and commit everything at once."""
        self.sequence()
        self.session.commit()
        self._committed = True
