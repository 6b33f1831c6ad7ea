"""official working-day calendars loaded as data (State Council holiday notices)

Revision ID: 0026_calendar_years
Revises: 0025_notifications

Two new tables, empty: until a notice is loaded, every year comes from the package.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = "0026_calendar_years"
down_revision = "0025_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("published", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_years")),
    )
    op.create_index("ix_calendar_years_year_id", "calendar_years", ["year", "id"], unique=False)
    op.create_table(
        "calendar_days",
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.CheckConstraint("kind IN ('holiday','workday')", name=op.f("ck_calendar_days_kind")),
        sa.ForeignKeyConstraint(
            ["year_id"], ["calendar_years.id"],
            name=op.f("fk_calendar_days_year_id_calendar_years"),
        ),
        sa.PrimaryKeyConstraint("year_id", "day", name=op.f("pk_calendar_days")),
    )


def downgrade() -> None:
    op.drop_table("calendar_days")
    op.drop_index("ix_calendar_years_year_id", table_name="calendar_years")
    op.drop_table("calendar_years")
