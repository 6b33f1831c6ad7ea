"""Create or migrate the database to the newest schema (Alembic, both engines)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config

from crossfin.core.db import Database


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("crossfin") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(db: Database) -> None:
    """Apply every pending migration; "heads" lets parallel branches coexist until merged."""
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
