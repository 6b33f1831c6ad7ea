"""The single sequencer: pending events get gap-free leaf indexes inside their transaction.

Design (a) of docs/ledger.md: the head row is locked as the last step before COMMIT
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the transaction already holds the
database write lock from BEGIN IMMEDIATE), so indexes are assigned in commit order and
a rolled-back transaction leaves no gap.

The appends are plain SQL on the DBAPI cursor of the session's connection, one
`executemany` per table (on psycopg all four writes share one pipeline, i.e. one round
trip): the ORM's bulk inserts and SQLAlchemy's per-statement machinery cost several times
the rows themselves (benchmarks/README.md). A large batch on PostgreSQL (a template upload
of thousands of payments) goes by COPY instead, cheaper still per row. The transaction
stays the session's, and errors still arrive as SQLAlchemy's (`IntegrityError` ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from crossfin.core.clock import utcnow
from crossfin.core.db import copy_rows, driver_mark
from crossfin.ledger.journal import PendingEvent
from crossfin.ledger.models import LedgerEvent, LogHead
from crossfin.ledger.proofs import append_to_edge
from crossfin.ledger.rfc6962 import EMPTY_ROOT, HASH_SIZE

if TYPE_CHECKING:
    import psycopg

HEAD_ID = 1
_HEAD_KEY = identity_key(LogHead, HEAD_ID)


def ensure_head(session: Session) -> None:
    """Create the empty head row if missing (called by `crossfin init`)."""
    if session.get(LogHead, HEAD_ID) is None:
        session.add(LogHead(id=HEAD_ID, size=0, root=EMPTY_ROOT, edge=b"", updated_at=utcnow()))
        session.flush()


def split_edge(edge: bytes) -> list[bytes]:
    return [edge[i : i + HASH_SIZE] for i in range(0, len(edge), HASH_SIZE)]


@dataclass(frozen=True)
class _Sql:
    """The sequencer's statements in one dialect's parameter style."""

    lock: str
    events: str
    parties: str
    hashes: str
    head: str
    time: Callable[[datetime], Any]  # what the ORM would bind for a UTCDateTime column
    batch: Callable[[Connection], AbstractContextManager[Any]]  # sends the writes at once
    copy: bool  # PostgreSQL through psycopg: COPY the rows of a large batch


@lru_cache(maxsize=16)
def _sql(dialect: Dialect) -> _Sql:
    m = driver_mark(dialect)
    # SQLite has no FOR UPDATE: the writer's BEGIN IMMEDIATE already holds the write lock.
    lock = "" if dialect.name == "sqlite" else " FOR UPDATE"
    time_type = LedgerEvent.__table__.c.created_at.type
    to_db = time_type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
    return _Sql(
        lock=f"SELECT size, edge FROM ledger_head WHERE id = {HEAD_ID}{lock}",
        events="INSERT INTO ledger_events (leaf_index, event_id, type, record, leaf_hash, "
        f"actor_org_id, created_at) VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m})",
        parties=f"INSERT INTO ledger_event_parties (leaf_index, org_id) VALUES ({m}, {m})",
        hashes=f"INSERT INTO ledger_hashes (level, idx, hash) VALUES ({m}, {m}, {m})",
        head=f"UPDATE ledger_head SET size = {m}, root = {m}, edge = {m}, updated_at = {m} "
        f"WHERE id = {HEAD_ID}",
        time=to_db,
        batch=_pipeline if _has_pipeline(dialect) else lambda conn: nullcontext(),
        copy=dialect.name == "postgresql" and dialect.driver == "psycopg",
    )


# From this many events on, PostgreSQL gets the rows by COPY: a template upload's 10,000
# events bring 10,000 leaves, ~20,000 parties and ~20,000 subtree hashes, whose pipelined
# INSERTs cost twice what COPY does. Below it, one pipelined round trip is cheaper.
COPY_FROM = 64
_EVENT_COLUMNS = (
    "leaf_index",
    "event_id",
    "type",
    "record",
    "leaf_hash",
    "actor_org_id",
    "created_at",
)
# Binary COPY (ledger/models.py's column types): the records and hashes go as bytes, not
# as hex text twice their size.
_EVENT_TYPES = ("int8", "varchar", "varchar", "bytea", "bytea", "int4", "timestamptz")
_PARTY_COLUMNS, _PARTY_TYPES = ("leaf_index", "org_id"), ("int8", "int4")
_HASH_COLUMNS, _HASH_TYPES = ("level", "idx", "hash"), ("int4", "int8", "bytea")


def _has_pipeline(dialect: Dialect) -> bool:
    pipeline = getattr(dialect.loaded_dbapi, "Pipeline", None)  # psycopg 3.1 and later
    return dialect.driver == "psycopg" and pipeline is not None and pipeline.is_supported()


def _pipeline(conn: Connection) -> AbstractContextManager[Any]:
    """psycopg's pipeline mode: the writes go in one round trip instead of one each."""
    # Only called when _has_pipeline saw the psycopg driver.
    driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
    return driver.pipeline()


@contextmanager
def driver_cursor(conn: Connection) -> Iterator[Any]:
    """A DBAPI cursor inside the session's transaction; its errors come out as SQLAlchemy's.

    As `Connection.execute` would: an `IntegrityError` stays an `IntegrityError`, and a
    dropped connection is invalidated so that the pool never hands it out again.
    """
    dialect = conn.dialect
    cursor = conn.connection.cursor()
    try:
        yield cursor
    except dialect.loaded_dbapi.Error as exc:
        lost = dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(exc)
        # No statement or parameters in the message: the record bytes are private.
        raise DBAPIError.instance(
            None,
            None,
            exc,
            dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=dialect,
        ) from exc
    finally:
        cursor.close()


def lock_head(session: Session) -> None:
    """Take the head lock without appending (until the transaction ends): for a writer
    with no event to sequence, and for work that must not race any writer (a recount)."""
    conn = session.connection()
    with driver_cursor(conn) as cursor:
        cursor.execute(_sql(conn.dialect).lock)
        cursor.fetchall()


# A statement for the driver's cursor (its own parameter style) and its parameters.
DriverStatement = tuple[str, Any]


def sequence(
    session: Session, events: Sequence[PendingEvent], also: Sequence[DriverStatement] = ()
) -> None:
    """Assign the next leaf indexes to `events`, store leaves and new subtree hashes.

    Requires a writing transaction; call it last before COMMIT, since from the head lock
    on every other appender waits for this transaction to end. `also` are statements to
    run after the appends in the same round trip (on psycopg's pipeline): work the unit of
    work's finishers do under the head lock, which then costs the lock no round trip of
    its own.
    """
    if not events:
        return
    conn = session.connection()
    with driver_cursor(conn) as cursor:
        head = _lock(conn, cursor, skip_locked=False)
        if head is None:
            raise RuntimeError("the ledger has no head row: run `crossfin init`")
        _append_locked(conn, cursor, head, events, also)
    _forget_loaded_head(session)


def sequence_if_free(session: Session, events: Sequence[PendingEvent]) -> bool:
    """Sequence `events` as `sequence` does if the head is free right now (PostgreSQL's
    SKIP LOCKED); False, with nothing done, when another transaction holds it. A writer
    alone keeps its one commit flush; one that would queue on the head joins a group."""
    conn = session.connection()
    with driver_cursor(conn) as cursor:
        head = _lock(conn, cursor, skip_locked=True)
        if head is None:  # held by another transaction (or missing: queueing refuses that)
            return False
        _append_locked(conn, cursor, head, events)
    _forget_loaded_head(session)
    return True


def _lock(conn: Connection, cursor: Any, *, skip_locked: bool) -> tuple[int, bytes] | None:
    """Lock the head row until the transaction ends; its size and right edge, or None when
    there is no row (or, with `skip_locked`, when another transaction holds it)."""
    statement = _sql(conn.dialect).lock + (" SKIP LOCKED" if skip_locked else "")
    cursor.execute(statement)
    row = cursor.fetchone()
    return None if row is None else (int(row[0]), bytes(row[1]))


def _forget_loaded_head(session: Session) -> None:
    """A head loaded through the ORM earlier in this session is stale after an append."""
    loaded = session.identity_map.get(_HEAD_KEY)
    if loaded is not None:
        session.expire(loaded)


def _append_locked(
    conn: Connection,
    cursor: Any,
    head: tuple[int, bytes],
    events: Sequence[PendingEvent],
    also: Sequence[DriverStatement] = (),
) -> None:
    """Append `events` after `head` (size, edge), read under the head lock this transaction
    holds; fills each receipt's leaf index. `also` goes in the same round trip."""
    sql = _sql(conn.dialect)
    start, edge = head
    result = append_to_edge(split_edge(edge), [e.leaf for e in events], start)
    now = sql.time(utcnow())
    leaf_rows, party_rows = [], []
    for index, event in enumerate(events, start):
        event.receipt.leaf_index = index
        leaf_rows.append(
            (
                index,
                event.event_id,
                event.event_type.value,
                event.record,
                event.leaf,
                event.actor_org_id,
                now,
            )
        )
        for org in event.parties:
            party_rows.append((index, org))
    hash_rows = [(lvl, n, h) for (lvl, n), h in result.hashes]
    head_row = (result.size, result.root, b"".join(result.right_edge), now)
    if sql.copy and len(events) >= COPY_FROM:
        copy_rows(cursor, "ledger_events", _EVENT_COLUMNS, leaf_rows, _EVENT_TYPES)
        copy_rows(cursor, "ledger_event_parties", _PARTY_COLUMNS, party_rows, _PARTY_TYPES)
        copy_rows(cursor, "ledger_hashes", _HASH_COLUMNS, hash_rows, _HASH_TYPES)
        cursor.execute(sql.head, head_row)
        for statement, params in also:
            cursor.execute(statement, params)
    else:
        with sql.batch(conn):
            cursor.executemany(sql.events, leaf_rows)
            if party_rows:
                cursor.executemany(sql.parties, party_rows)
            cursor.executemany(sql.hashes, hash_rows)
            cursor.execute(sql.head, head_row)
            for statement, params in also:
                cursor.execute(statement, params)
