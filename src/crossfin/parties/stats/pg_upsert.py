"""The statistics' write on PostgreSQL: every table's upserts in one statement.

The upkeep writes under the log head lock, so every writer waits for it. Four
`executemany` upserts (cells, served rows and both rollups) cost four pipeline round
trips and SQLAlchemy's per-statement work: ~3.5 ms per group-commit batch, held under the
lock. Here the rows travel as one array per column, unnested by one `INSERT .. SELECT ..
ON CONFLICT` per table, the four joined as data-modifying CTEs of a single statement
(psycopg prepares it after a few runs, so it is planned once per connection). The unit
of work sends it in the sequencer's own pipeline, after the ledger's appends
(`Upkeep.as_statements`): no round trip of its own under the lock.

Each table's rows are distinct by key (a tally sums per key), so no upsert meets its own
row twice; the order in which PostgreSQL runs the four CTEs does not matter because only
the head lock's holder writes these tables (a recount takes the same lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
        arrays = ", ".join(
            f"%(t{n}_{col})s::{self.table.c[col].type.compile(_DIALECT)}[]" for col in self.columns
        )
        sets = ", ".join(f"{col} = {name}.{col} + EXCLUDED.{col}" for col in self.sums)
        return (
            f"t{n} AS (INSERT INTO {name} ({', '.join(self.columns)}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {sets})"
        )


def statement(targets: Sequence[Target]) -> str:
    """The one statement for these tables (built once, at import of the upkeep)."""
    ctes = ", ".join(target.cte(n) for n, target in enumerate(targets))
    return f"WITH {ctes} SELECT 1"


def parameters(
    targets: Sequence[Target], rows: Sequence[Sequence[tuple[Any, ...]]]
) -> dict[str, Any]:
    """One list per column: `rows[n]` are table n's rows as tuples in its column order."""
    params: dict[str, Any] = {}
    for n, (target, table_rows) in enumerate(zip(targets, rows, strict=True)):
        columns = list(zip(*table_rows, strict=True)) if table_rows else [()] * len(target.columns)
        for col, values in zip(target.columns, columns, strict=True):
            params[f"t{n}_{col}"] = list(values)
    return params
