"""What core.db picks per dialect: the ON CONFLICT insert and raw SQL placeholders."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crossfin.core.db import Database, driver_mark, insert_for


def test_insert_for_every_kind_of_bind(db: Database) -> None:
    expected = pg_insert if db.dialect == "postgresql" else sqlite_insert
    with db.session() as session, db.engine.connect() as conn:
        for bind in (session, conn, db.engine, db.engine.dialect, db.dialect):
            assert insert_for(bind) is expected
    assert insert_for(postgresql.psycopg.dialect()) is pg_insert
    assert insert_for("sqlite") is sqlite_insert


def test_driver_marks() -> None:
    assert (driver_mark(sqlite.dialect()), driver_mark(sqlite.dialect(), "a")) == ("?", ":a")
    psycopg = postgresql.psycopg.dialect()
    assert (driver_mark(psycopg), driver_mark(psycopg, "a")) == ("%s", "%(a)s")
    named = sqlite.dialect(paramstyle="named")
    assert driver_mark(named, "a") == ":a"
    with pytest.raises(NotImplementedError):
        driver_mark(named)
