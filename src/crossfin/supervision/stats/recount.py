"""The full recount: every record's contribution summed, compared with the stored cells.

The cells are kept with each change (parties/stats/upkeep.py); a recount sums the same
`contribution` functions over every record. Each domain hands its source at assembly
(`add_source`: financings, payments, P4 checks, verifications, refusal alerts), so this
module imports no domain. `check` compares in one repeatable-read snapshot without
stopping writers (the cells change in the same transactions as the records, so every
snapshot must agree); the rollups, the enterprise totals and the reach are derived from the
recounted cells and served rows (`Tally.rolled_up`, `reach.reach_of`) and compared too, so a
tampered rollup is named like a tampered cell; `replace` holds the
ledger head lock, which every writer takes before it writes its cells, and swaps the
tables' contents for the recount.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from crossfin.core.db import Actor, Database
from crossfin.ledger.sequencer import lock_head
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.stats.reach import REACH, REACH_KEY, ReachKey, reach_of, sizes_of
from crossfin.parties.stats.upkeep import (
    CELL_KEY,
    CELL_ROLLUP_KEY,
    CELL_ROLLUPS,
    CELLS,
    ROLLUP_KEY,
    ROLLUPS,
    SERVED,
    SERVED_KEY,
    TOTAL_KEY,
    TOTALS,
    CellKey,
    CellRollupKey,
    Entry,
    RollupKey,
    ServedKey,
    Tally,
    TotalKey,
)

Source = Callable[[Session], Iterable[Entry]]
# Told (source name, entries summed since the last call) every `STEP` entries and at the end.
Progress = Callable[[str, int], None]
STEP = 10_000
_SOURCES: dict[str, Source] = {}
RECOUNTER = Actor(None, None, "stats-recount")


def add_source(name: str, source: Source) -> None:
    """Count `source`'s entries in every recount (assembly: one per kind of record)."""
    _SOURCES[name] = source


def sources() -> dict[str, Source]:
    return dict(_SOURCES)


@dataclass(frozen=True)
class Difference:
    """One key whose stored sums differ from the recount's (zeros where a row is missing)."""

    table: str
    key: CellKey | ServedKey | RollupKey | CellRollupKey | TotalKey | ReachKey
    stored: tuple[int, ...]
    recounted: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        names = (("count",), ("count", "usd_minor"), ("count", "amount_minor", "usd_minor"))[
            len(self.stored) - 1
        ]
        return {
            "table": self.table,
            "key": self.key._asdict(),
            "stored": dict(zip(names, self.stored, strict=True)),
            "recounted": dict(zip(names, self.recounted, strict=True)),
        }

    def line(self) -> str:
        key = " ".join(f"{k}={v!r}" for k, v in self.key._asdict().items())
        return f"{self.table} {key}: stored {self.stored}, recounted {self.recounted}"


@dataclass(frozen=True)
class Outcome:
    """What a recount found (and, unless it only checked, wrote)."""

    differences: list[Difference]
    cells: int
    served: int
    replaced: bool


def recount(session: Session, progress: Progress | None = None) -> Tally:
    """Every source's entries summed per key, rollups derived (zero sums dropped)."""
    tally = Tally()
    for name, source in _SOURCES.items():
        batch: list[Entry] = []
        for entry in source(session):
            batch.append(entry)
            if len(batch) >= STEP:
                tally.add(batch)
                if progress is not None:
                    progress(name, len(batch))
                batch = []
        tally.add(batch)
        if progress is not None:
            progress(name, len(batch))
    counted = tally.rolled_up()
    served = [(key, count) for key, (count, _) in counted.served.items()]
    sizes = sizes_of(session, {key.org_id for key, _ in served})
    counted.reach = {key: (n,) for key, n in reach_of(served, sizes).items()}
    return counted.nonzero()


def stored(session: Session) -> Tally:
    """The tables as they stand (rows whose sums are all zero left out)."""
    tally = Tally()
    sums = ("count", "amount_minor", "usd_minor")
    for row in session.execute(select(*[CELLS.c[name] for name in CELL_KEY + sums])):
        tally.cells[CellKey(*row[:7])] = (row[7], row[8], row[9])
    for row in session.execute(select(*[SERVED.c[name] for name in SERVED_KEY + sums[::2]])):
        tally.served[ServedKey(*row[:6])] = (row[6], row[7])
    for row in session.execute(select(*[ROLLUPS.c[name] for name in ROLLUP_KEY + sums[::2]])):
        tally.rollups[RollupKey(*row[:6])] = (row[6], row[7])
    wide = CELL_ROLLUPS.c
    for row in session.execute(select(*[wide[name] for name in CELL_ROLLUP_KEY + sums])):
        tally.cell_rollups[CellRollupKey(*row[:8])] = (row[8], row[9], row[10])
    for row in session.execute(select(*[TOTALS.c[name] for name in TOTAL_KEY + sums[::2]])):
        tally.totals[TotalKey(*row[:2])] = (row[2], row[3])
    for row in session.execute(select(*[REACH.c[name] for name in (*REACH_KEY, "count")])):
        tally.reach[ReachKey(*row[:-1])] = (row[-1],)
    return tally.nonzero()


K = TypeVar("K", CellKey, ServedKey, RollupKey, CellRollupKey, TotalKey, ReachKey)


def _compare(
    table: str,
    mine: dict[K, tuple[int, ...]],
    theirs: dict[K, tuple[int, ...]],
    zero: tuple[int, ...],
) -> Iterator[Difference]:
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key, zero), theirs.get(key, zero)
        if a != b:
            yield Difference(table, key, a, b)


def differences(kept: Tally, counted: Tally) -> list[Difference]:
    """Every key on which the two disagree, cells first, in key order."""
    return [
        *_compare(CELLS.name, dict(kept.cells), dict(counted.cells), (0, 0, 0)),
        *_compare(SERVED.name, dict(kept.served), dict(counted.served), (0, 0)),
        *_compare(ROLLUPS.name, dict(kept.rollups), dict(counted.rollups), (0, 0)),
        *_compare(
            CELL_ROLLUPS.name, dict(kept.cell_rollups), dict(counted.cell_rollups), (0, 0, 0)
        ),
        *_compare(TOTALS.name, dict(kept.totals), dict(counted.totals), (0, 0)),
        *_compare(REACH.name, dict(kept.reach), dict(counted.reach), (0,)),
    ]


def check(db: Database, progress: Progress | None = None) -> Outcome:
    """Compare the tables with a recount, in one consistent snapshot; nothing is written."""
    # A reader: on SQLite a deferred BEGIN whose first read fixes the WAL snapshot.
    with db.session(readonly=True) as session:
        if db.dialect == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        kept = stored(session)
        counted = recount(session, progress)
        session.rollback()
    return Outcome(differences(kept, counted), len(counted.cells), len(counted.served), False)


def replace(db: Database, progress: Progress | None = None) -> Outcome:
    """Recount under the ledger head lock and make the tables hold exactly the recount."""
    with UnitOfWork(db, RECOUNTER) as uow:
        session = uow.session
        lock_head(session)  # writers wait: none changes a record or a cell meanwhile
        kept = stored(session)
        counted = recount(session, progress)
        found = differences(kept, counted)
        for table in (CELLS, SERVED, ROLLUPS, CELL_ROLLUPS, TOTALS, REACH):
            session.execute(delete(table))
        _insert(session, counted)
        uow.commit()
    return Outcome(found, len(counted.cells), len(counted.served), True)


def fill_if_empty(db: Database) -> int:
    """Fill the tables once when they hold nothing (a database upgraded from before the
    statistics: its records were never counted): the cells written, 0 when they already
    held figures or there was nothing to count. `crossfin init` runs it after migrating."""
    with db.session(readonly=True) as session:
        if session.scalar(select(CELLS.c.id).limit(1)) is not None:
            return 0
    return replace(db).cells


def _insert(session: Session, tally: Tally) -> None:
    for table, sums, names in (
        (CELLS, tally.cells, _AMOUNTS),
        (SERVED, tally.served, _USD),
        (ROLLUPS, tally.rollups, _USD),
        (CELL_ROLLUPS, tally.cell_rollups, _AMOUNTS),
        (TOTALS, tally.totals, _USD),
        (REACH, tally.reach, ("count",)),
    ):
        rows = _rows(sums, names)
        for start in range(0, len(rows), STEP):
            session.execute(insert(table), rows[start : start + STEP])


_AMOUNTS = ("count", "amount_minor", "usd_minor")
_USD = ("count", "usd_minor")


def _rows(sums: Mapping[Any, tuple[int, ...]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {**key._asdict(), **dict(zip(names, values, strict=True))}
        for key, values in sorted(sums.items())
    ]
