"""`crossfin init` on a database whose records were never counted (upgraded from before
the statistics) fills the tables once, and leaves figures alone once there are some."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ops.setup import initialise
from crossfin.parties.stats.models import (
    StatCell,
    StatEnterpriseTotal,
    StatReach,
    StatRollup,
    StatServed,
)
from support.financing import declaration, make_firms
from support.stats import assert_stats_match_recount, register

TABLES = (StatCell, StatServed, StatRollup, StatEnterpriseTotal, StatReach)


def _cells(db: Database) -> int:
    with db.session(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(StatCell)) or 0)


def test_init_counts_records_the_statistics_never_saw(client, db, settings: Settings) -> None:
    firms = make_firms(db)
    register(client, firms, [declaration(db, firms, "300.00")], "100.00")
    kept = _cells(db)
    assert kept > 0
    with db.session() as session:  # as after upgrading: records, and no figures
        for table in TABLES:
            session.execute(delete(table))
        session.commit()
    assert initialise(settings, db).statistics_cells_filled == kept
    assert _cells(db) == kept
    assert_stats_match_recount(db)
    # Figures present: a second init counts nothing again.
    assert initialise(settings, db).statistics_cells_filled == 0
