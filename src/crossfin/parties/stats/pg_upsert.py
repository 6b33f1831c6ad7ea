"""The statistics' write on PostgreSQL: every table's upserts in one statement.

The upkeep writes under the log head lock, so every writer waits for it. One
`executemany` upsert per table (cells, served rows, rollups, cell rollups and totals)
would cost a pipeline round trip each and SQLAlchemy's per-statement work: ~3.5 ms per
group-commit batch for four, held under the lock. Here each table's rows travel as one
JSON array of rows, read by `json_to_recordset` in one `INSERT .. SELECT .. ON CONFLICT`
per table, all joined as data-modifying CTEs of a single statement (psycopg prepares it
after a few runs, so it is planned once per connection). The unit of work sends it in the
sequencer's own pipeline, after the ledger's appends (`Upkeep.as_statements`): no round
trip of its own under the lock.

One JSON text per table rather than one array per column: psycopg adapts a Python list
parameter by inspecting its items, which cost ~0.2 ms of the server's CPU per
registration for the ~30 arrays; orjson writes the same rows in microseconds.

Each table's rows are distinct by key (a tally sums per key), so no upsert meets its own
row twice; the order in which PostgreSQL runs the CTEs does not matter because only the
head lock's holder writes these tables (a recount takes the same lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


class Target:
    """One table's part of the statement: its columns in order, key first, then sums."""

    def __init__(self, table: Table, key: Sequence[str], sums: Sequence[str]) -> None:
        self.table, self.key, self.sums = table, tuple(key), tuple(sums)
        self.columns = self.key + self.sums

    def cte(self, n: int) -> str:
        name = self.table.name
        names = ", ".join(self.columns)
        types = ", ".join(
            f"{col} {self.table.c[col].type.compile(_DIALECT)}" for col in self.columns
        )
        sets = ", ".join(f"{col} = {name}.{col} + EXCLUDED.{col}" for col in self.sums)
        return (
            f"t{n} AS (INSERT INTO {name} ({names}) "
            f"SELECT {names} FROM json_to_recordset(%(t{n})s::json) AS r({types}) "
            f"ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {sets})"
        )


def statement(targets: Sequence[Target]) -> str:
    """The one statement for these tables (built once, at import of the upkeep)."""
    ctes = ", ".join(target.cte(n) for n, target in enumerate(targets))
    return f"WITH {ctes} SELECT 1"


def parameters(
    targets: Sequence[Target], rows: Sequence[Sequence[tuple[Any, ...]]]
) -> dict[str, Any]:
    """One JSON text per table: `rows[n]` are table n's rows as tuples in its column order."""
    return {
        f"t{n}": rows_json(target.columns, table_rows)
        for n, (target, table_rows) in enumerate(zip(targets, rows, strict=True))
    }


def rows_json(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> str:
    """Rows as a JSON array of objects keyed by column (what `json_to_recordset` reads)."""
    return orjson.dumps([dict(zip(columns, row, strict=True)) for row in rows]).decode()
