"""Database engine and declarative base, for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from crossfin.core.errors import Conflict
from crossfin.core.replica import PROBE_TIMEOUT_SECONDS, ReadReplica
from crossfin.core.settings import Settings

# Named constraints keep Alembic migrations identical on both engines.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def insert_for(bind: Session | Connection | Engine | Dialect | str) -> Callable[..., Any]:
    """`insert` with ON CONFLICT (`on_conflict_do_nothing`...) for the bind's dialect.

    PostgreSQL's on PostgreSQL, SQLite's otherwise; `bind` is a session, a connection, an
    engine, a dialect or a dialect name.
    """
    if isinstance(bind, Session):
        bind = bind.get_bind()
    if isinstance(bind, (Connection, Engine)):
        bind = bind.dialect
    name = bind if isinstance(bind, str) else bind.name
    return pg_insert if name == "postgresql" else sqlite_insert


def driver_mark(dialect: Dialect, name: str | None = None) -> str:
    """The DBAPI placeholder for raw SQL (`exec_driver_sql`, a cursor), positional or `name`d.

    `?` and `:name` for sqlite3 (qmark), `%s` and `%(name)s` for psycopg (pyformat).
    """
    style = dialect.paramstyle
    if style in ("format", "pyformat"):
        return "%s" if name is None else f"%({name})s"
    if style == "qmark" or (style == "named" and name is not None):
        return "?" if name is None else f":{name}"
    raise NotImplementedError(f"no raw SQL placeholders for {dialect.name} ({style})")


def copy_rows(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    types: Sequence[str] | None = None,
) -> None:
    """PostgreSQL `COPY table (columns) FROM STDIN` of `rows` through a psycopg 3 cursor.

    Several times faster than an INSERT executemany for thousands of rows (no per-row
    statement, parameters or round trip); the bulk paths of ingestion and the ledger share it.
    With `types` (PostgreSQL type names, one per column) the rows go in binary format:
    cheaper again for `bytea` (no hex text), but each value must be of its column's type.
    """
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    if types is not None:
        statement += " (FORMAT BINARY)"
    with cursor.copy(statement) as copy:
        if types is not None:
            copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


def make_engine(url: str, *, readonly: bool = False, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and, for writers, BEGIN IMMEDIATE."""
    if is_sqlite(url):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine, "BEGIN" if readonly else "BEGIN IMMEDIATE")
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping: it costs a round trip on every checkout, i.e. on every request. Connections
    # are recycled after 30 minutes instead, and a connection found dead mid-request makes
    # SQLAlchemy invalidate the pool, so one request fails (with a problem answer) and the next
    # gets a fresh connection.
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine, begin: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can
        # then never fail half-way with SQLITE_BUSY, and writers are strictly serialised.
        # Read-only engines keep a deferred BEGIN so readers never wait on writers (WAL).
        conn.exec_driver_sql(begin)


class Database:
    """A writer engine and a reader engine on one database URL (SQLite needs both), and
    optionally a PostgreSQL standby for reads that may be a little stale.

    `session()` writes on the primary; `session(readonly=True)` reads the primary (what a
    write is about to rely on: authentication, idempotency, the checkpointer, the audit);
    `session(replica=True)` reads the standby given as `read_url` while it is up and at most
    `read_max_lag` seconds behind, and the primary otherwise (core/replica.py).
    """

    def __init__(
        self,
        url: str,
        *,
        read_url: str | None = None,
        read_max_lag: float = 2.0,
        group_commit: bool = True,
        **engine_kwargs: Any,
    ) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, **engine_kwargs)
        # Ledger group commit (docs/ledger.md, design (b)) serves PostgreSQL through psycopg
        # only: on SQLite every writer already holds the database's one write lock.
        dialect = self.engine.dialect
        self.group_commit = (
            group_commit and dialect.name == "postgresql" and dialect.driver == "psycopg"
        )
        self.read_engine: Engine = (
            make_engine(url, readonly=True, **engine_kwargs)
            if url.startswith("sqlite")
            else self.engine
        )
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)
        self.replica: ReadReplica | None = None
        self._replica_reader: sessionmaker[Session] | None = None
        if read_url:
            if is_sqlite(url) or is_sqlite(read_url):
                raise ValueError(
                    "a read standby (CROSSFIN_READ_DATABASE_URL) needs PostgreSQL "
                    "for both the database and the standby"
                )
            engine = make_engine(read_url, **_with_connect_timeout(engine_kwargs))
            self.replica = ReadReplica(url, read_url, read_max_lag, engine=engine)
            self._replica_reader = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database of a serving process: the primary and, if configured, the standby."""
        return cls(
            settings.database_url,
            read_url=settings.read_database_url,
            read_max_lag=settings.read_max_lag_seconds,
            group_commit=settings.ledger_group_commit,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, *, readonly: bool = False, replica: bool = False) -> Session:
        if replica:
            if (
                self._replica_reader is not None
                and self.replica is not None
                and self.replica.usable()
            ):
                return self._replica_reader()
            return self._reader()
        return (self._reader if readonly else self._writer)()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
        if self.replica is not None:
            self.replica.dispose()


def _with_connect_timeout(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A standby that is down must fail fast, so reads fall back to the primary."""
    merged = dict(kwargs)
    connect_args = dict(merged.get("connect_args", {}))
    connect_args.setdefault("connect_timeout", PROBE_TIMEOUT_SECONDS)
    merged["connect_args"] = connect_args
    return merged


@dataclass(frozen=True)
class Actor:
    """Who causes a change: an organization and one of its principals (None for the CLI)."""

    org_id: int | None
    principal_id: int | None
    label: str = ""


def add_new_version(session: Session, row: Any, what: str) -> None:
    """Insert `row`, a new version of versioned data (gates, thresholds, rules, ...) whose
    unique key includes the version number. Two changes made from the same version race
    for the same key: the loser gets 409 and nothing of its change stays (a savepoint)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(f"{what} changed meanwhile; read it again and retry") from None
