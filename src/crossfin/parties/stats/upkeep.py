"""Keeping the statistics with each change, in the change's own transaction.

Each kind of record that feeds the figures has one pure function, its *contribution*: the
entries (cells and served rows) the record adds given its current state. A change adds
`contribution(after) - contribution(before)`; a full recount is the sum of the
contributions of every record (supervision/stats/recount.py). The two agree by
construction as long as every write path reports its change here.

The deltas of a transaction are summed per key in the session (`add`, `changed`) and
written once, at its end, by the unit of work under the log head lock (`UPKEEP`, a
`ledger.uow.Finisher` registered at assembly): one upsert per distinct key, in key order,
so a bulk verification of 10,000 items touches a handful of rows, and no two writers
ever lock cells in different orders (docs/supervision.md, "Statistics").

Each write also adds the rollups', the cell rollups' and the enterprise totals' deltas
(`StatRollup`, `StatCellRollup`, `StatEnterpriseTotal`), derived from the cell and served
deltas of the same tally by `Tally.rolled_up`, and the reach's change (`StatReach`,
reach.py), derived from the served rows before and after; the recount derives all four
from its cells and served rows the same way, so they equal the fine tables summed by
construction too.

Mutable records (financings, payments) say what they contributed before they change:
`track` when the row is locked for the change, `changed` once it has changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.db import insert_for
from crossfin.core.money import convert_up
from crossfin.parties.stats import pg_upsert, reach
from crossfin.parties.stats.models import (
    BANK_DEPTHS,
    DEPTHS,
    ROLLUP_DEPTHS,
    Measure,
    StatCell,
    StatCellRollup,
    StatEnterpriseTotal,
    StatRollup,
    StatServed,
)

CELLS = cast(Table, StatCell.__table__)
SERVED = cast(Table, StatServed.__table__)
ROLLUPS = cast(Table, StatRollup.__table__)
TOTALS = cast(Table, StatEnterpriseTotal.__table__)
CELL_ROLLUPS = cast(Table, StatCellRollup.__table__)
CELL_KEY = ("county_path", "month", "scenario", "currency", "trade_class", "bank_org_id", "measure")
SERVED_KEY = ("county_path", "month", "scenario", "trade_class", "bank_org_id", "org_id")
ROLLUP_KEY = ("depth", "area_path", "month", "scenario", "trade_class", "measure")
TOTAL_KEY = ("county_path", "org_id")
CELL_ROLLUP_KEY = ("depth", "area_path", *CELL_KEY[1:])
_INFO = "crossfin.stats"  # the session.info entry holding the transaction's deltas


class CellKey(NamedTuple):
    county_path: str
    month: str
    scenario: str
    currency: str
    trade_class: str
    bank_org_id: int
    measure: str


class ServedKey(NamedTuple):
    county_path: str
    month: str
    scenario: str
    trade_class: str
    bank_org_id: int
    org_id: int


class RollupKey(NamedTuple):
    depth: int
    area_path: str
    month: str
    scenario: str
    trade_class: str
    measure: str


class CellRollupKey(NamedTuple):
    depth: int
    area_path: str
    month: str
    scenario: str
    currency: str
    trade_class: str
    bank_org_id: int
    measure: str


class TotalKey(NamedTuple):
    county_path: str
    org_id: int


class Entry(NamedTuple):
    """What one record adds to one cell (or served row); a served row has no amount."""

    key: CellKey | ServedKey
    records: int  # what the row's `count` sums (`count` would hide tuple.count)
    amount_minor: int
    usd_minor: int


def month_of(moment: datetime | date) -> str:
    """`YYYY-MM` of a UTC moment in China's calendar, or of a business date."""
    day = business_date(moment) if isinstance(moment, datetime) else moment
    return f"{day.year:04d}-{day.month:02d}"


def usd_of(minor: int, currency: str, rate: str | None) -> int:
    """`minor` units of `currency` in USD minor units at the record's rate (rounded up, as
    the payments' USD equivalent is); 0 without a rate."""
    if currency == "USD":
        return minor
    if rate is None or minor == 0:
        return 0
    return convert_up(minor, currency, "USD", Decimal(rate))


def cell(
    measure: Measure,
    county_path: str | None,
    month: str,
    *,
    scenario: str = "",
    currency: str = "",
    trade_class: str = "",
    bank_org_id: int | None = 0,
    count: int = 1,
    amount_minor: int = 0,
    usd_minor: int = 0,
) -> Entry:
    """One cell entry; missing dimensions become the sentinels ('' and 0), never NULL."""
    key = CellKey(
        county_path or "",
        month,
        scenario,
        currency,
        trade_class,
        bank_org_id or 0,
        measure.value,
    )
    return Entry(key, count, amount_minor, usd_minor)


def served(
    county_path: str | None,
    month: str,
    *,
    scenario: str,
    trade_class: str,
    bank_org_id: int,
    org_id: int,
    usd_minor: int,
) -> Entry:
    """One enterprise served by one record (counted while its row's count is above 0)."""
    key = ServedKey(county_path or "", month, scenario, trade_class, bank_org_id, org_id)
    return Entry(key, 1, 0, usd_minor)


class Tally:
    """Entries summed per key: a transaction's deltas, or a recount (and, once
    `rolled_up`, or read from the tables, the rollups' and totals' sums; a recount or the
    tables also hold the reach, which the upkeep derives at write time: reach.py)."""

    def __init__(self) -> None:
        self.cells: dict[CellKey, tuple[int, int, int]] = {}
        self.served: dict[ServedKey, tuple[int, int]] = {}
        self.rollups: dict[RollupKey, tuple[int, int]] = {}
        self.cell_rollups: dict[CellRollupKey, tuple[int, int, int]] = {}
        self.totals: dict[TotalKey, tuple[int, int]] = {}
        self.reach: dict[reach.ReachKey, tuple[int]] = {}

    def add(self, entries: Iterable[Entry], sign: int = 1) -> None:
        cells, served = self.cells, self.served
        for key, count, amount, usd in entries:
            if type(key) is CellKey:
                c, a, u = cells.get(key, (0, 0, 0))
                cells[key] = (c + sign * count, a + sign * amount, u + sign * usd)
            else:
                skey = cast(ServedKey, key)
                c, u = served.get(skey, (0, 0))
                served[skey] = (c + sign * count, u + sign * usd)

    def copy(self) -> Tally:
        # The values are tuples: a shallow copy of each dict is a full one.
        twin = Tally()
        twin.cells, twin.served = dict(self.cells), dict(self.served)
        twin.rollups, twin.totals = dict(self.rollups), dict(self.totals)
        twin.cell_rollups = dict(self.cell_rollups)
        twin.reach = dict(self.reach)
        return twin

    def nonzero(self) -> Tally:
        """The keys whose sums are not all zero (what a table holds after a recount)."""
        kept = Tally()
        kept.cells = {k: v for k, v in self.cells.items() if any(v)}
        kept.served = {k: v for k, v in self.served.items() if any(v)}
        kept.rollups = {k: v for k, v in self.rollups.items() if any(v)}
        kept.cell_rollups = {k: v for k, v in self.cell_rollups.items() if any(v)}
        kept.totals = {k: v for k, v in self.totals.items() if any(v)}
        kept.reach = {k: v for k, v in self.reach.items() if any(v)}
        return kept

    def rolled_up(self) -> Tally:
        """This tally with its rollups derived from its cells (each summed into its area at
        each of `ROLLUP_DEPTHS`: a path cut to the depth's length; with every dimension at
        `BANK_DEPTHS`) and its totals from its served rows (summed over months, scenarios,
        classes and banks)."""
        rolled = self.copy()
        rollups: dict[RollupKey, tuple[int, int]] = {}
        wide: dict[CellRollupKey, tuple[int, int, int]] = {}
        for cell_key, (c, a, u) in self.cells.items():
            path, month, scenario, _, klass, _, measure = cell_key
            for depth in ROLLUP_DEPTHS:
                key = RollupKey(depth, path[: DEPTHS[depth]], month, scenario, klass, measure)
                rc, ru = rollups.get(key, (0, 0))
                rollups[key] = (rc + c, ru + u)
            for depth in BANK_DEPTHS:
                wkey = CellRollupKey(depth, path[: DEPTHS[depth]], *cell_key[1:])
                wc, wa, wu = wide.get(wkey, (0, 0, 0))
                wide[wkey] = (wc + c, wa + a, wu + u)
        totals: dict[TotalKey, tuple[int, int]] = {}
        for (path, _, _, _, _, org_id), (c, u) in self.served.items():
            tkey = TotalKey(path, org_id)
            tc, tu = totals.get(tkey, (0, 0))
            totals[tkey] = (tc + c, tu + u)
        rolled.rollups, rolled.totals, rolled.cell_rollups = rollups, totals, wide
        return rolled

    def __bool__(self) -> bool:
        return bool(self.cells or self.served)


class _Pending:
    """What a session gathered: the deltas, and what each tracked record contributes now."""

    def __init__(self) -> None:
        self.tally = Tally()
        self.tracked: dict[tuple[str, int], list[Entry]] = {}


def _pending(session: Session) -> _Pending:
    found = session.info.get(_INFO)
    if found is None:
        found = session.info[_INFO] = _Pending()
    return cast(_Pending, found)


def add(session: Session, entries: Iterable[Entry]) -> None:
    """A new (or immutable) record's contribution, kept in this transaction."""
    _pending(session).tally.add(entries)


def subtract(session: Session, entries: Iterable[Entry]) -> None:
    """Take back contributions (a record whose dimensions moved: `add` the new ones)."""
    _pending(session).tally.add(entries, -1)


def track(session: Session, kind: str, ident: int, entries: list[Entry]) -> None:
    """What a mutable record contributes as it stands, read under its row lock before it
    changes in this transaction (read again, the row may have changed: remember anew)."""
    _pending(session).tracked[(kind, ident)] = entries


def changed(session: Session, kind: str, ident: int, after: list[Entry]) -> None:
    """A tracked record changed: keep `after - before`. Untracked is a bug (a write path
    that changes the record without locking it through its domain's `locked`), so it
    raises rather than let the figures drift from a recount."""
    pending = _pending(session)
    before = pending.tracked.get((kind, ident))
    if before is None:
        raise RuntimeError(f"statistics: {kind} {ident} changed without being tracked")
    if before != after:
        pending.tally.add(before, -1)
        pending.tally.add(after)
    pending.tracked[(kind, ident)] = after


def write(session: Session, tally: Tally) -> None:
    """Add a tally's sums, its rollups' and totals', to the tables: one upsert per key, in
    key order, table after table in the same order for every writer (on PostgreSQL all
    five tables in one statement: pg_upsert.py says why); then the reach's change."""
    if session.get_bind().dialect.name == "postgresql":
        for statement, params in _pg_statements(tally):
            session.connection().exec_driver_sql(statement, params)
        return
    rows = _rows(tally)
    for target, table_rows in zip(_TARGETS, rows, strict=True):
        if table_rows:
            names = target.columns
            session.execute(
                _upsert(session, target.table, target.key, target.sums),
                [dict(zip(names, row, strict=True)) for row in table_rows],
            )
    reach.apply(session, tally.served)


def _pg_statements(tally: Tally) -> list[tuple[str, Any]]:
    """The upserts' one statement, then the reach's function call (when a count moved)."""
    rows = _rows(tally)
    statements: list[tuple[str, Any]] = []
    if any(rows):
        statements.append((_PG_WRITE, pg_upsert.parameters(_TARGETS, rows)))
    moved = reach.pg_parameters(tally.served)
    if moved is not None:
        statements.append((reach.PG_CALL, moved))
    return statements


def _rows(tally: Tally) -> list[list[tuple[Any, ...]]]:
    """Each table's rows (key then sums) in key order, rollups derived, zeros left out."""
    tally = tally.rolled_up()
    parts = (tally.cells, tally.served, tally.rollups, tally.cell_rollups, tally.totals)
    return [[(*k, *v) for k, v in sorted(part.items()) if any(v)] for part in parts]


_TARGETS = (
    pg_upsert.Target(CELLS, CELL_KEY, ("count", "amount_minor", "usd_minor")),
    pg_upsert.Target(SERVED, SERVED_KEY, ("count", "usd_minor")),
    pg_upsert.Target(ROLLUPS, ROLLUP_KEY, ("count", "usd_minor")),
    pg_upsert.Target(CELL_ROLLUPS, CELL_ROLLUP_KEY, ("count", "amount_minor", "usd_minor")),
    pg_upsert.Target(TOTALS, TOTAL_KEY, ("count", "usd_minor")),
)
_PG_WRITE = pg_upsert.statement(_TARGETS)


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _upsert(session: Session, table: Table, key: Sequence[str], sums: Sequence[str]) -> Any:
    """INSERT .. ON CONFLICT (key) DO UPDATE SET sum = sum + excluded.sum, built once per
    dialect and table (an executemany of it keeps SQLAlchemy's compiled form cached)."""
    dialect = session.get_bind().dialect.name
    found = _STATEMENTS.get((dialect, table.name))
    if found is None:
        insert = insert_for(dialect)(table)
        found = insert.on_conflict_do_update(
            index_elements=list(key),
            set_={name: table.c[name] + insert.excluded[name] for name in sums},
        )
        _STATEMENTS[(dialect, table.name)] = found
    return found


class Upkeep:
    """The unit of work's finisher: writes a transaction's deltas under the head lock."""

    def pending(self, session: Session) -> bool:
        found = session.info.get(_INFO)
        return found is not None and bool(found.tally)

    def finish(self, session: Session) -> None:
        pending = _pending(session)
        write(session, pending.tally)
        pending.tally = Tally()

    def as_statements(self, session: Session) -> list[tuple[str, Any]] | None:
        """On PostgreSQL the one statement, sent with the ledger's appends in their round
        trip (the head lock is held for one round trip less); elsewhere None: `finish`."""
        if session.get_bind().dialect.name != "postgresql":
            return None
        pending = _pending(session)
        statements, pending.tally = _pg_statements(pending.tally), Tally()
        return statements

    def mark(self, session: Session) -> object:
        pending = session.info.get(_INFO)
        return None if pending is None else pending.tally.copy()

    def undo_to(self, session: Session, mark: object) -> None:
        pending = session.info.get(_INFO)
        if pending is None:
            return
        pending.tally = cast(Tally, mark).copy() if mark is not None else Tally()
        # A record changed in the undone step is read again under its lock before it
        # changes anew; what it contributed then is tracked then.
        pending.tracked.clear()


UPKEEP = Upkeep()
