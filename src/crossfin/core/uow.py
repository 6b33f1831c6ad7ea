"""The unit of work: one transaction per request or command, ledger events included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crossfin.core.db import make_engine
from crossfin.ledger.journal import PendingEvent, Receipt, new_event
from crossfin.ledger.sequencer import sequence

if TYPE_CHECKING:
    from crossfin.ledger.events import EventType


class Database:
    """A writer engine and a reader engine on one database URL (SQLite needs both)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, **engine_kwargs)
        self.read_engine: Engine = (
            make_engine(url, readonly=True, **engine_kwargs)
            if url.startswith("sqlite")
            else self.engine
        )
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, readonly: bool = False) -> Session:
        return (self._reader if readonly else self._writer)()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


@dataclass(frozen=True)
class Actor:
    """Who causes a change: an organization and one of its principals (None for the CLI)."""

    org_id: int | None
    principal_id: int | None
    label: str = ""


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
