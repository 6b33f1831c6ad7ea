"""Alembic environment: one set of migrations for SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from crossfin.core.db import make_engine
from crossfin.migrations.metadata import metadata

config = context.config


def run(connection: Connection) -> None:
    # batch mode lets ALTER TABLE work on SQLite by copying tables.
    context.configure(
        connection=connection, target_metadata=metadata(), render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
