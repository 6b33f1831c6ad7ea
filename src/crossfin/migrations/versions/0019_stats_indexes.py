"""the statistics' read side: subtree indexes on the cells and the enterprises served

Revision ID: 0019_stats_indexes
Revises: 0018_stats
"""

from __future__ import annotations

from alembic import op


revision = '0019_stats_indexes'
down_revision = '0018_stats'
branch_labels = None
depends_on = None

PATTERN = {'county_path': 'varchar_pattern_ops'}


def upgrade() -> None:
    # supervision/stats/indexes.py says why: a subtree is a LIKE 'prefix%' on county_path.
    op.create_index(
        'ix_stats_cells_path', 'stats_cells', ['county_path', 'month'], postgresql_ops=PATTERN
    )
    op.create_index(
        'ix_stats_served_path', 'stats_served', ['county_path', 'month'], postgresql_ops=PATTERN
    )


def downgrade() -> None:
    op.drop_index('ix_stats_served_path', table_name='stats_served')
    op.drop_index('ix_stats_cells_path', table_name='stats_cells')
