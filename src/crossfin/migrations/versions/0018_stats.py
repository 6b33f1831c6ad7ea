"""statistics kept per county (cells, enterprises served) and the enterprise's size

Revision ID: 0018_stats
Revises: 0017_alert_cases
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0018_stats'
down_revision = '0017_alert_cases'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stats_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_path', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('scenario', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('trade_class', sa.String(length=1), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=24), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('usd_minor', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_cells')),
    sa.UniqueConstraint('county_path', 'month', 'scenario', 'currency', 'trade_class', 'bank_org_id', 'measure', name=op.f('uq_stats_cells_county_path'))
    )
    with op.batch_alter_table('stats_cells', schema=None) as batch_op:
        batch_op.create_index('ix_stats_cells_month', ['month', 'measure'], unique=False)

    op.create_table('stats_served',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_path', sa.String(length=64), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('scenario', sa.String(length=16), nullable=False),
    sa.Column('trade_class', sa.String(length=1), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('usd_minor', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_served')),
    sa.UniqueConstraint('county_path', 'month', 'scenario', 'trade_class', 'bank_org_id', 'org_id', name=op.f('uq_stats_served_county_path'))
    )
    with op.batch_alter_table('stats_served', schema=None) as batch_op:
        batch_op.create_index('ix_stats_served_month', ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_stats_served_org_id'), ['org_id'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(
            'size', "size IS NULL OR size IN ('micro','small','medium','large')"
        )


def downgrade() -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organizations_size'), type_='check')
        batch_op.drop_column('size')
    op.drop_table('stats_served')
    op.drop_table('stats_cells')
