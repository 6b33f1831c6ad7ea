"""Statistics cells and served rows written straight into their tables.

The read side's tests give the query layer its input this way: the cells the upkeep
(parties/stats) keeps with each change are that input, and writing them directly lets a
test choose every dimension (county, month, bank...) without running the records' use
cases. They go through the upkeep's `write`, which keeps the rollups with them, as every
writer does. Tests of the upkeep itself live with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from crossfin.core.db import Database
from crossfin.parties.models import Jurisdiction, Organization
from crossfin.parties.stats.upkeep import CellKey, ServedKey, Tally, write


def path_of(db: Database, code: str) -> str:
    with db.engine.connect() as conn:
        return str(conn.scalar(select(Jurisdiction.path).where(Jurisdiction.code == code)))


@dataclass(frozen=True)
class Cell:
    county: str  # a division code; '' for the no-county sentinel
    month: str
    measure: str
    count: int
    usd_minor: int
    amount_minor: int = 0
    scenario: str = "F1"
    currency: str = "USD"
    trade_class: str = "A"
    bank: int = 0


def add_cells(db: Database, *cells: Cell) -> None:
    tally = Tally()
    for c in cells:
        path = path_of(db, c.county) if c.county else ""
        key = CellKey(path, c.month, c.scenario, c.currency, c.trade_class, c.bank, c.measure)
        tally.cells[key] = (c.count, c.amount_minor or c.usd_minor, c.usd_minor)
    _write(db, tally)


def _write(db: Database, tally: Tally) -> None:
    with db.session() as session:
        write(session, tally)
        session.commit()


def add_served(
    db: Database,
    org_id: int,
    county: str,
    month: str,
    usd_minor: int,
    *,
    count: int = 1,
    scenario: str = "F1",
    trade_class: str = "A",
    bank: int = 0,
) -> None:
    path = path_of(db, county)  # before the write: SQLite has one writer at a time
    tally = Tally()
    tally.served[ServedKey(path, month, scenario, trade_class, bank, org_id)] = (count, usd_minor)
    _write(db, tally)


def set_size(db: Database, org_id: int, size: str | None) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(Organization).where(Organization.id == org_id).values(size=size))
