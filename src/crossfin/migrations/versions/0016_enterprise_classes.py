"""enterprise classes: the class history and bulk imports, backfilled from trade_class

Revision ID: 0016_enterprise_classes
Revises: 0015_jurisdiction_history

Backfill: one row per enterprise with the class it has now, effective from the epoch
2000-01-01 (parties/classes/history.py EPOCH: onboarding's class holds for every earlier
day), source `backfill` and no ledger event (the state audit leaves these rows out).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op


revision = '0016_enterprise_classes'
down_revision = '0015_jurisdiction_history'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enterprise_classes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('trade_class', sa.String(length=1), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('decided_by_org_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_principal_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.CheckConstraint("trade_class IN ('A','B','C')", name=op.f('ck_enterprise_classes_class')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_enterprise_classes_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_classes'))
    )
    op.create_index('ix_enterprise_classes_org_effective', 'enterprise_classes', ['org_id', 'effective_from', 'id'], unique=False)
    op.create_table('class_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_class_imports_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_imports')),
    sa.UniqueConstraint('org_id', 'digest', name='uq_class_imports_org_digest')
    )
    op.execute(
        sa.text(
            "INSERT INTO enterprise_classes (org_id, trade_class, effective_from, reason, "
            "source, recorded_at) SELECT id, COALESCE(trade_class, 'A'), :epoch, 'backfill', "
            "'backfill', :now FROM organizations WHERE kind = 'enterprise' ORDER BY id"
        ).bindparams(
            sa.bindparam('epoch', date(2000, 1, 1), type_=sa.Date()),
            sa.bindparam('now', datetime.now(UTC), type_=sa.DateTime(timezone=True)),
        )
    )


def downgrade() -> None:
    op.drop_table('class_imports')
    op.drop_index('ix_enterprise_classes_org_effective', table_name='enterprise_classes')
    op.drop_table('enterprise_classes')
