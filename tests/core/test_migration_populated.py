"""Upgrading a SQLite database that holds rows: batch mode copies a table and drops the
old one, which foreign keys pointing at it refused (organizations, from 0018 on), so an
operator's upgrade of a used database failed; `migrate` switches them off meanwhile and
checks them before the commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from crossfin.core.db import Database
from crossfin.migrations.upgrade import migrate, upgrade

ROWS = (
    "INSERT INTO jurisdictions (code, level, name_zh, name_en, path)"
    " VALUES ('000000', 'root', '总局', 'Head office', '/000000/')",
    "INSERT INTO organizations (id, kind, name, jurisdiction_code, jurisdiction_path,"
    " created_at) VALUES (1, 'bank', 'A bank', '000000', '/000000/', '2026-01-01')",
    "INSERT INTO bank_jurisdictions (org_id, code) VALUES (1, '000000')",
)


def _old_database_with_rows(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path}/used.db")
    migrate(db, "0017_alert_cases")
    with db.engine.begin() as conn:
        for statement in ROWS:
            conn.execute(text(statement))
    return db


def test_a_used_database_upgrades_and_keeps_its_rows(tmp_path: Path) -> None:
    db = _old_database_with_rows(tmp_path)
    upgrade(db)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM bank_jurisdictions")) == 1
        assert conn.scalar(text("SELECT size FROM organizations")) is None
        # Foreign keys are on again for the connection that migrated.
        assert conn.scalar(text("PRAGMA foreign_keys")) == 1
    migrate(db, "0017_alert_cases", down=True)  # and back down, rows and all
    db.dispose()


def test_a_migration_leaving_dangling_rows_is_refused(tmp_path: Path) -> None:
    db = _old_database_with_rows(tmp_path)
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction: applies
        with conn.begin():
            conn.execute(text("INSERT INTO bank_jurisdictions (org_id, code) VALUES (9, '000000')"))
        raw.execute("PRAGMA foreign_keys=ON")
    with pytest.raises(RuntimeError, match="pointing at no row"):
        upgrade(db)
    with db.engine.connect() as conn:  # rolled back: still at 0017
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0017_alert_cases"
    db.dispose()
