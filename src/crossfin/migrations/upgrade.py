"""Create or migrate the database to the newest schema (Alembic, both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from crossfin.core.db import Database


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("crossfin") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> None:
    """Apply every pending migration; "heads" lets parallel branches coexist until merged."""
    migrate(db, "heads")


def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) to `revision`, in one transaction."""
    config = alembic_config(db.url)
    with _schema_transaction(db) as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@contextmanager
def _schema_transaction(db: Database) -> Iterator[Connection]:
    """One transaction for schema changes. On SQLite, foreign keys are off meanwhile and
    checked before the commit: batch mode changes a table by copying it and dropping the
    old one, and dropping a table other rows point to fails while they are on (SQLite's
    own procedure for schema changes: switch them off outside the transaction, change,
    run `foreign_key_check`, commit)."""
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        assert raw is not None
        if sqlite:  # a PRAGMA inside a transaction would do nothing
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"the migration left rows pointing at no row: {broken[:5]}"
                        )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")
