"""statistics rollups: the cells and the enterprises served summed per area of every level

Revision ID: 0023_stats_rollups
Revises: 0022_dispatched_offices

Backfill: both tables filled from the existing cells and served rows in SQL
(`parties/stats/backfill.fill_rollups`, the statement the benchmark loads with too).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crossfin.parties.stats.backfill import fill_rollups


revision = "0023_stats_rollups"
down_revision = "0022_dispatched_offices"
branch_labels = None
depends_on = None

PATTERN = {"area_path": "varchar_pattern_ops"}


def upgrade() -> None:
    op.create_table(
        "stats_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("area_path", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scenario", sa.String(length=16), nullable=False),
        sa.Column("trade_class", sa.String(length=1), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("usd_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_rollups")),
        sa.UniqueConstraint(
            "depth",
            "area_path",
            "month",
            "scenario",
            "trade_class",
            "measure",
            name=op.f("uq_stats_rollups_depth"),
        ),
    )
    op.create_table(
        "stats_served_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("area_path", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("trade_class", sa.String(length=1), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("usd_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_served_rollups")),
        sa.UniqueConstraint(
            "depth",
            "area_path",
            "month",
            "trade_class",
            "org_id",
            name=op.f("uq_stats_served_rollups_depth"),
        ),
    )
    # supervision/stats/indexes.py says why (a prefix per depth; no sums included).
    op.create_index(
        "ix_stats_rollups_area",
        "stats_rollups",
        ["depth", "area_path", "month"],
        postgresql_ops=PATTERN,
    )
    op.create_index(
        "ix_stats_served_rollups_area",
        "stats_served_rollups",
        ["depth", "area_path", "month"],
        postgresql_ops=PATTERN,
    )
    fill_rollups(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_stats_served_rollups_area", table_name="stats_served_rollups")
    op.drop_index("ix_stats_rollups_area", table_name="stats_rollups")
    op.drop_table("stats_served_rollups")
    op.drop_table("stats_rollups")
