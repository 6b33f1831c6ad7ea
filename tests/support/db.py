"""Test databases: SQLite in a temp dir by default, PostgreSQL via CROSSFIN_TEST_DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, select, text

from crossfin.core.db import Actor, Database
from crossfin.ledger.sequencer import ensure_head
from crossfin.ledger.uow import UnitOfWork
from crossfin.migrations.metadata import metadata
from crossfin.migrations.upgrade import upgrade
from crossfin.parties.jurisdictions import seed_jurisdictions

# Static reference data survives between tests; everything else is emptied.
KEEP = {"jurisdictions", "alembic_version"}


def test_database_url(tmp_dir: Path) -> str:
    return os.environ.get("CROSSFIN_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/test.db"


def reset_schema(url: str) -> None:
    """Drop everything so migrations run from scratch (PostgreSQL keeps state between runs)."""
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def prepare(url: str) -> Database:
    """A migrated database with jurisdictions and the ledger head."""
    reset_schema(url)
    db = Database(url)
    upgrade(db)
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        seed_jurisdictions(uow.session)
        ensure_head(uow.session)
        uow.commit()
    return db


def clean(db: Database) -> None:
    """Empty every table but reference data, then recreate the ledger head."""
    tables = [t for t in reversed(metadata().sorted_tables) if t.name not in KEEP]
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
            if _has_sequence(conn):
                conn.execute(text("DELETE FROM sqlite_sequence"))
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        ensure_head(uow.session)
        uow.commit()


def _has_sequence(conn) -> bool:  # type: ignore[no-untyped-def]
    row = conn.execute(
        text("SELECT name FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
    ).first()
    return row is not None


def restore_jurisdictions(db: Database) -> None:
    """Put the jurisdiction table back to the shipped edition (after an update test).

    The table is reference data kept between tests, so a test that loads another edition
    must undo it: codes the edition added go, shipped rows get their shipped names and state.
    """
    from crossfin.parties.jurisdiction_data import ROOT_CODE, load_divisions
    from crossfin.parties.models import Jurisdiction, JurisdictionChange

    shipped = {d.code: d for d in load_divisions()}
    with db.session() as session, session.begin():
        session.execute(JurisdictionChange.__table__.delete())
        extra = [
            j
            for j in session.scalars(select(Jurisdiction))
            if j.code not in shipped and j.code != ROOT_CODE
        ]
        for node in sorted(extra, key=lambda j: len(j.path), reverse=True):
            session.delete(node)
            session.flush()
        for node in session.scalars(select(Jurisdiction).where(Jurisdiction.code != ROOT_CODE)):
            div = shipped[node.code]
            node.name_zh, node.name_en = div.name_zh, div.name_en
            node.retired, node.successor_code = div.retired, div.successor
