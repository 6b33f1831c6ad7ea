"""filings: form definitions, filings, versions, attachments, steps; bank branches

Revision ID: 0024_filings
Revises: 0023_stats_rollups

The one-dispatched-office-per-county index is narrowed to regulators, so that a bank
branch may name its head office as parent (several branches may share a county).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0024_filings'
down_revision = '0023_stats_rollups'
branch_labels = None
depends_on = None


OFFICE_INDEX = 'uq_organizations_dispatched_seat'


def _office_index(where: str) -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(OFFICE_INDEX)
        batch_op.create_index(
            OFFICE_INDEX, ['jurisdiction_code'], unique=True,
            sqlite_where=sa.text(where), postgresql_where=sa.text(where),
        )


def upgrade() -> None:
    _office_index("parent_org_id IS NOT NULL AND kind = 'regulator'")
    op.create_table('filing_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=16), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('definition_sha256', sa.String(length=64), nullable=False),
    sa.Column('media_types', sa.Text(), nullable=False),
    sa.Column('max_bytes', sa.BigInteger(), nullable=False),
    sa.Column('max_count', sa.Integer(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=True),
    sa.Column('clock_starts', sa.String(length=16), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_forms')),
    sa.UniqueConstraint('code', 'version', name='uq_filing_forms_code_version')
    )
    with op.batch_alter_table('filing_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_forms_code'), ['code'], unique=False)

    op.create_table('filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=48), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_code', sa.String(length=32), nullable=False),
    sa.Column('form_version', sa.Integer(), nullable=False),
    sa.Column('filer_org_id', sa.Integer(), nullable=False),
    sa.Column('chain_org_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('acknowledgement', sa.String(length=48), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('clock_started', sa.Date(), nullable=True),
    sa.Column('clock_pauses', sa.Text(), nullable=False),
    sa.Column('clock_extension', sa.Integer(), nullable=False),
    sa.Column('created_by_principal_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chain_org_id'], ['organizations.id'], name=op.f('fk_filings_chain_org_id_organizations')),
    sa.ForeignKeyConstraint(['filer_org_id'], ['organizations.id'], name=op.f('fk_filings_filer_org_id_organizations')),
    sa.ForeignKeyConstraint(['form_id'], ['filing_forms.id'], name=op.f('fk_filings_form_id_filing_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filings')),
    sa.UniqueConstraint('acknowledgement', name=op.f('uq_filings_acknowledgement')),
    sa.UniqueConstraint('reference', name=op.f('uq_filings_reference'))
    )
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filings_chain_org_id'), ['chain_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_filer_org_id'), ['filer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_form_code'), ['form_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_state'), ['state'], unique=False)

    op.create_table('filing_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['filing_id'], ['filings.id'], name=op.f('fk_filing_attachments_filing_id_filings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_attachments'))
    )
    with op.batch_alter_table('filing_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_attachments_filing_id'), ['filing_id'], unique=False)

    op.create_table('filing_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('principal_name', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['filing_id'], ['filings.id'], name=op.f('fk_filing_steps_filing_id_filings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_steps'))
    )
    with op.batch_alter_table('filing_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_steps_filing_id'), ['filing_id'], unique=False)

    op.create_table('filing_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('explanations', sa.Text(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('principal_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['filing_id'], ['filings.id'], name=op.f('fk_filing_versions_filing_id_filings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_versions')),
    sa.UniqueConstraint('filing_id', 'number', name='uq_filing_versions_filing_number')
    )
    with op.batch_alter_table('filing_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_versions_filing_id'), ['filing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('filing_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_versions_filing_id'))

    op.drop_table('filing_versions')
    with op.batch_alter_table('filing_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_steps_filing_id'))

    op.drop_table('filing_steps')
    with op.batch_alter_table('filing_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_attachments_filing_id'))

    op.drop_table('filing_attachments')
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filings_state'))
        batch_op.drop_index(batch_op.f('ix_filings_jurisdiction_path'))
        batch_op.drop_index(batch_op.f('ix_filings_form_id'))
        batch_op.drop_index(batch_op.f('ix_filings_form_code'))
        batch_op.drop_index(batch_op.f('ix_filings_filer_org_id'))
        batch_op.drop_index(batch_op.f('ix_filings_created_at'))
        batch_op.drop_index(batch_op.f('ix_filings_chain_org_id'))

    op.drop_table('filings')
    with op.batch_alter_table('filing_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_forms_code'))

    op.drop_table('filing_forms')
    _office_index('parent_org_id IS NOT NULL')
