"""Group commit on PostgreSQL: design (b) of docs/ledger.md.

Under design (a) a writer locks the log head as the last step of its transaction and holds it
across its COMMIT, so writers of one event each queue on that row, one WAL flush apiece. Here
a writer instead inserts its event into `ledger_queue` with its business change and commits
without the head: concurrent commits share WAL flushes, as PostgreSQL groups them anyway.
Then it waits, before answering, until the event is in the tree:

- one **integrator round** at a time per process moves every queued event into the tree, a
  group per statement: the database function `ledger_integrate` (migration 0031) locks the
  head, reads the queue in id order, appends, deletes the rows, and the statement commits
  on its own. The head lock serialises rounds of all processes with each other and with
  design (a)'s writers, and is held for one flush per group with no client round trip in
  it: a process's threads wait for the GIL several milliseconds at a time under load, and
  a lock held across such a wait would stall every writer;
- a waiting writer is done when a round that **started after its commit** has drained the
  queue: that round's reads saw its row, committed before, so either it or an earlier round
  placed it. Threads of a process that wait meanwhile share the next round, so a group holds
  everything that arrived while the previous one flushed;
- a round fills the receipts of this process's waiters, also for events another process's
  round placed: the database answers their leaf indexes with the group's.

Nothing acknowledged is lost: a writer answers only once its event's group has committed. A
process killed mid-round leaves its group's transaction uncommitted (no half-written group)
and the queued rows in place, for the next round of any writer, or the checkpointer's
(`drain`), to place. Events that must know their leaf inside their own transaction (an
answer stored with it, a batch row naming it) keep design (a) with `UnitOfWork.sequence()`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

from sqlalchemy import Connection, select

from crossfin.core.db import Database
from crossfin.ledger.journal import PendingEvent, Receipt
from crossfin.ledger.models import QueuedEvent
from crossfin.ledger.sequencer import driver_cursor

# Events per group at most: a round of more goes in several groups (and transactions).
GROUP_LIMIT = 2_000

_QUEUE_COLUMNS = "event_id, type, record, leaf_hash, actor_org_id, parties, queued_at"


def enqueue(conn: Connection, events: Sequence[PendingEvent]) -> None:
    """Insert `events` into the queue, in the caller's transaction (its COMMIT makes them
    durable together with the business change)."""
    rows = [
        (
            e.event_id,
            e.event_type.value,
            e.record,
            e.leaf,
            e.actor_org_id,
            ",".join(str(org) for org in sorted(e.parties)),
        )
        for e in events
    ]
    # Queued only while the log has its head: an uninitialised log refuses the change, as
    # design (a) does, instead of committing it with an event no round can place.
    statement = (
        f"INSERT INTO ledger_queue ({_QUEUE_COLUMNS}) "
        "SELECT %s, %s, %s, %s, %s, %s, now() WHERE EXISTS (SELECT 1 FROM ledger_head)"
    )
    with driver_cursor(conn) as cursor:
        if len(rows) == 1:
            cursor.execute(statement, rows[0])
        else:
            cursor.executemany(statement, rows)
        if cursor.rowcount != len(rows):
            raise RuntimeError("the ledger has no head row: run `crossfin init`")


def integrate_group(
    conn: Connection, wanted: Sequence[str] = (), limit: int = GROUP_LIMIT
) -> tuple[int, dict[str, int]]:
    """Place up to `limit` queued events in the tree: the database's `ledger_integrate`
    (migration 0031), which locks the head, appends them as `proofs.append_to_edge` would
    and deletes their rows, all in one statement. Returns how many it placed, and the leaf
    indexes of the `wanted` events (this process's waiters) placed by now, by this group or
    by any before it: so a waiter whose event another process placed needs no query.

    On a connection in autocommit mode the statement is its own transaction, so the head
    is held for its work and one commit flush, with no client round trip in between.
    """
    with driver_cursor(conn) as cursor:
        cursor.execute(
            "SELECT event_id, leaf_index FROM ledger_integrate(%s, %s)", (limit, list(wanted))
        )
        rows = cursor.fetchall()
    placed = next(int(count) for event_id, count in rows if event_id is None)
    return placed, {event_id: int(index) for event_id, index in rows if event_id is not None}


class Integrator:
    """This process's integrator for one database: at most one round runs at a time."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cond = threading.Condition()
        self._running = False
        self._started = 0  # rounds begun
        self._drained = 0  # the number of the latest round that emptied the queue
        self._waiting: dict[str, Receipt] = {}

    def busy(self) -> bool:
        """Whether writers of this process are waiting for a round: then a new writer
        queues too rather than try the head, which it would hold across its round trips
        (and this process's GIL waits), stalling the rounds."""
        return self._running or bool(self._waiting)

    def settle(self, events: Sequence[PendingEvent]) -> None:
        """Return once every one of `events` (committed to the queue) is in the tree, with
        its receipt's leaf index set. Call it after the COMMIT that queued them."""
        with self._cond:
            for event in events:
                self._waiting[event.event_id] = event.receipt
            try:
                self._round_after(self._started)
            finally:
                for event in events:
                    self._waiting.pop(event.event_id, None)
        unplaced = [e.event_id for e in events if e.receipt.leaf_index is None]
        if unplaced:  # a drained round answers every waiter it saw: this cannot happen
            raise RuntimeError(f"queued events not placed after a round: {unplaced}")

    def drain(self) -> None:
        """Place whatever is queued now (events of writers that died before their round)."""
        with self._cond:
            self._round_after(self._started)

    def _round_after(self, ticket: int) -> None:
        """Wait (holding the condition) until a round numbered above `ticket`, so begun
        after the caller's COMMIT, has drained the queue: join the one running, or run
        the next one in this thread."""
        while self._drained <= ticket:
            if self._running:
                self._cond.wait()
            else:
                self._run_round()

    def _run_round(self) -> None:
        """One round, run by the calling thread with the condition's lock released."""
        self._running = True
        self._started += 1
        number = self._started
        wanted = list(self._waiting)  # this process's waiters so far: this round's to serve
        self._cond.release()
        placed: dict[str, int] = {}
        try:
            while True:
                with self._db.engine.connect() as plain:
                    conn = plain.execution_options(isolation_level="AUTOCOMMIT")
                    count, found = integrate_group(conn, wanted)
                placed.update(found)
                if count < GROUP_LIMIT:
                    break
        finally:
            self._cond.acquire()
            self._running = False
            self._cond.notify_all()
        for event_id, index in placed.items():
            receipt = self._waiting.get(event_id)
            if receipt is not None:
                receipt.leaf_index = index
        self._drained = number


_INTEGRATORS: weakref.WeakKeyDictionary[Database, Integrator] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def integrator(db: Database) -> Integrator:
    """The process's integrator for `db` (one per Database object)."""
    with _REGISTRY_LOCK:
        found = _INTEGRATORS.get(db)
        if found is None:
            found = _INTEGRATORS[db] = Integrator(db)
        return found


def drain(db: Database) -> None:
    """Place queued events left by writers that never finished (killed, or their connection
    lost after COMMIT); the checkpointer calls it before signing. Cheap when nothing waits."""
    if not db.group_commit:
        return
    with db.session(readonly=True) as session:
        if session.scalar(select(QueuedEvent.id).limit(1)) is None:
            return
    integrator(db).drain()
