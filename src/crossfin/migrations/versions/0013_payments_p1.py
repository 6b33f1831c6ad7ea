"""payments p1: fundings, sample rates, samples, review tasks, papers

Revision ID: 0013_payments_p1
Revises: 0012_payments_p2

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013_payments_p1'
down_revision = '0012_payments_p2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('p1_sample_rates',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_p1_sample_rates'))
    )
    op.create_table('p1_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_size', sa.BigInteger(), nullable=False),
    sa.Column('checkpoint_note', sa.Text(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('rate_version', sa.Integer(), nullable=False),
    sa.Column('candidates', sa.Text(), nullable=False),
    sa.Column('selected', sa.Text(), nullable=False),
    sa.Column('drawn_by_org_id', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_p1_samples')),
    sa.UniqueConstraint('checkpoint_size', name=op.f('uq_p1_samples_checkpoint_size'))
    )
    op.create_table('p1_fundings',
    sa.Column('payment_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source_of_funds', sa.String(length=24), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_p1_fundings_payment_id_payments')),
    sa.PrimaryKeyConstraint('payment_id', name=op.f('pk_p1_fundings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_p1_fundings_event_id'))
    )
    op.create_table('p1_review_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('reviewed_by_org_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_p1_review_tasks_payment_id_payments')),
    sa.ForeignKeyConstraint(['sample_id'], ['p1_samples.id'], name=op.f('fk_p1_review_tasks_sample_id_p1_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_p1_review_tasks')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_p1_review_tasks_payment_id'))
    )
    with op.batch_alter_table('p1_review_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_p1_review_tasks_bank_org_id'), ['bank_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_p1_review_tasks_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_p1_review_tasks_sample_id'), ['sample_id'], unique=False)

    op.create_table('p1_review_papers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['p1_review_tasks.id'], name=op.f('fk_p1_review_papers_task_id_p1_review_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_p1_review_papers')),
    sa.UniqueConstraint('task_id', 'name', name='uq_p1_review_papers_task_name')
    )
    with op.batch_alter_table('p1_review_papers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_p1_review_papers_task_id'), ['task_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('p1_review_papers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_p1_review_papers_task_id'))

    op.drop_table('p1_review_papers')
    with op.batch_alter_table('p1_review_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_p1_review_tasks_sample_id'))
        batch_op.drop_index(batch_op.f('ix_p1_review_tasks_jurisdiction_path'))
        batch_op.drop_index(batch_op.f('ix_p1_review_tasks_bank_org_id'))

    op.drop_table('p1_review_tasks')
    op.drop_table('p1_fundings')
    op.drop_table('p1_samples')
    op.drop_table('p1_sample_rates')
