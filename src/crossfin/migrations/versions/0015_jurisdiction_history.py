"""jurisdictions: retirement, successor and the change history of each code

Revision ID: 0015_jurisdiction_history
Revises: 0014_offshore_checks

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0015_jurisdiction_history'
down_revision = '0014_offshore_checks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jurisdictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('successor_code', sa.String(length=6), nullable=True))
    op.create_table('jurisdiction_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('edition', sa.String(length=64), nullable=False),
    sa.Column('name_zh_before', sa.String(length=100), nullable=True),
    sa.Column('name_en_before', sa.String(length=100), nullable=True),
    sa.Column('successor_code', sa.String(length=6), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['jurisdictions.code'], name=op.f('fk_jurisdiction_changes_code_jurisdictions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jurisdiction_changes'))
    )
    with op.batch_alter_table('jurisdiction_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jurisdiction_changes_code'), ['code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jurisdiction_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jurisdiction_changes_code'))
    op.drop_table('jurisdiction_changes')
    with op.batch_alter_table('jurisdictions', schema=None) as batch_op:
        batch_op.drop_column('successor_code')
        batch_op.drop_column('retired')
