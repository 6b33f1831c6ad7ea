"""Bulk INSERT through the driver's executemany, for the hot paths of batch ingestion.

SQLAlchemy's executemany processes every bound value of every row in Python; for a
million rows that costs more than the database does. Our bulk rows hold only strings,
integers, booleans and bytes (which both drivers bind natively) and one timestamp shared
by the whole page, which is converted once with the column type's own bind processor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, DateTime, Table

from crossfin.core.db import copy_rows, driver_mark

if TYPE_CHECKING:
    import psycopg


def table_of(model: Any) -> Table:
    """The Core table of a mapped class."""
    return cast(Table, model.__table__)


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    now: datetime | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """executemany INSERT of `rows` (same keys each); datetime columns all get `now`.

    `columns`: the keys to insert, when the rows hold more (say, the times they will get,
    which the state projection reads): cheaper than copying every row without them.
    Precondition: values are str, int, bool, bytes or None, except datetime columns,
    which must be absent from `columns` and are filled with `now`.
    """
    if not rows:
        return
    dialect = connection.dialect
    taken = list(rows[0]) if columns is None else list(columns)
    stamps = _stamps(table, taken, now, dialect)
    names = taken + list(stamps)
    if dialect.name == "postgresql":
        _copy(connection, table, taken, rows, stamps)
        return
    marks = [driver_mark(dialect, n) for n in names]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join(marks)})"
    # Named parameters: a row's keys beyond `names` are not read.
    params = [row | stamps for row in rows] if stamps else list(rows)
    connection.exec_driver_sql(sql, params)


def insert_tuples(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    now: datetime | None = None,
) -> None:
    """`insert_rows` of positional rows: each a tuple of the values of `columns`, in order.

    Cheaper than dicts for the largest pages (no dict per row, no lookup per value); the
    same statement on SQLite, the same COPY on PostgreSQL. Same precondition as
    `insert_rows`.
    """
    if not rows:
        return
    dialect = connection.dialect
    stamps = _stamps(table, columns, now, dialect)
    names = [*columns, *stamps]
    extra = tuple(stamps.values())
    params = [row + extra for row in rows] if extra else rows
    if dialect.name == "postgresql":
        raw = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
        with raw.cursor() as cursor:
            copy_rows(cursor, table.name, names, params)
        return
    marks = ", ".join([driver_mark(dialect)] * len(names))
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"
    connection.exec_driver_sql(sql, params)


def next_ids(connection: Connection, table: Table, count: int) -> Sequence[int]:
    """The `id`s the next `count` rows of `table` would get by default, reserved in order.

    PostgreSQL: `count` values of the column's sequence (what COPY would take one by one).
    SQLite: the key is the rowid without AUTOINCREMENT, so a new row gets the largest id
    plus one; a writer holds the database's write lock (BEGIN IMMEDIATE), so nobody else
    inserts before this transaction ends. Inserting the rows with these ids saves reading
    them back.
    """
    if count <= 0:
        return []
    if connection.dialect.name == "postgresql":
        query = (
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
            "FROM generate_series(1, %s) ORDER BY 1"
        )
        return [row[0] for row in connection.exec_driver_sql(query, (count,))]
    top = connection.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar() or 0
    return range(top + 1, top + 1 + count)


def _stamps(
    table: Table, taken: Sequence[str], now: datetime | None, dialect: Any
) -> dict[str, Any]:
    """Datetime columns of `table` not in `taken`, each with `now` as its driver binds it."""
    stamps = {}
    if now is not None:
        for column in table.columns:
            if column.name not in taken and _is_datetime(column):
                process = column.type.bind_processor(dialect)
                stamps[column.name] = _adapted(process(now) if process else now, dialect)
    return stamps


def _adapted(value: Any, dialect: Any) -> Any:
    """`value` as sqlite3 binds it: the driver's own adapter, applied once per page rather
    than once per row (a UTC datetime stays a datetime after the column's processor, and
    sqlite3 would turn it into text for every row). The same text is stored."""
    if dialect.name != "sqlite":
        return value
    adapt = sqlite3.adapters.get((type(value), sqlite3.PrepareProtocol))
    return value if adapt is None else adapt(value)


def _copy(
    connection: Connection,
    table: Table,
    columns: list[str],
    rows: Sequence[dict[str, Any]],
    stamps: dict[str, Any],
) -> None:
    """PostgreSQL: COPY FROM STDIN, several times faster than INSERT for many rows."""
    # On PostgreSQL the driver is psycopg 3, the one the project installs.
    raw = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
    extra = tuple(stamps.values())
    names = columns + list(stamps)
    with raw.cursor() as cursor:
        copy_rows(
            cursor, table.name, names, (tuple(row[c] for c in columns) + extra for row in rows)
        )


def key_in(column: Any, values: Sequence[Any], dialect_name: str) -> Any:
    """`column IN values`: one array parameter on PostgreSQL, not thousands of markers."""
    if dialect_name == "postgresql":
        from sqlalchemy import any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def _is_datetime(column: Any) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl", kind), DateTime)
