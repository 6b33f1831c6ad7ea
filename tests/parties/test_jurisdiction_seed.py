"""Seeding the table: `crossfin init` on a database that holds an older, smaller table."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from crossfin.core.db import Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.jurisdiction_data import load_divisions
from crossfin.parties.jurisdictions import seed_jurisdictions
from crossfin.parties.models import Jurisdiction
from support.parties import TEST_ACTOR


def _count(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Jurisdiction)) or 0)


def test_seeding_adds_what_an_older_table_lacks_under_the_right_paths(db: Database) -> None:
    full = _count(db)
    assert full == len(load_divisions()) + 1  # and the head-office root
    # A deployment seeded from the 387-row sample had the provinces and a few counties:
    # keep Guangdong's tree down to Shenzhen and every province, drop the rest.
    with db.engine.begin() as conn:
        conn.execute(
            delete(Jurisdiction).where(
                Jurisdiction.level == "county", ~Jurisdiction.code.startswith("4403")
            )
        )
        conn.execute(
            delete(Jurisdiction).where(
                Jurisdiction.level == "prefecture", Jurisdiction.code != "440300"
            )
        )
    assert _count(db) == 1 + 31 + 1 + 9
    with UnitOfWork(db, TEST_ACTOR) as uow:
        added = seed_jurisdictions(uow.session)
        uow.commit()
    assert added == full - (1 + 31 + 1 + 9)
    with db.session() as session:
        xiantao = session.get_one(Jurisdiction, "429004")
        assert xiantao.path == "/000000/420000/429000/429004/"
        xiacheng = session.get_one(Jurisdiction, "330103")
        assert (xiacheng.retired, xiacheng.successor_code) == ("2023", "330105")
    with UnitOfWork(db, TEST_ACTOR) as uow:
        assert seed_jurisdictions(uow.session) == 0  # idempotent
        uow.commit()
