"""who changed an alert rule: the principal's name beside its organization

Revision ID: 0020_alert_rule_authors
Revises: 0019_stats_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0020_alert_rule_authors'
down_revision = '0019_stats_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_rule_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_by_name', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert_rule_versions', schema=None) as batch_op:
        batch_op.drop_column('changed_by_name')
