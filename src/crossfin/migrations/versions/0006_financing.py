"""financing: financings, uses, FX rates, change clock, matchmaking, credit queries

Revision ID: 0006
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('financing_clock',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financing_clock'))
    )
    op.create_table('fx_rates',
    sa.Column('rate_date', sa.Date(), nullable=False),
    sa.Column('base', sa.String(length=3), nullable=False),
    sa.Column('quote', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('rate_date', 'base', 'quote', name=op.f('pk_fx_rates'))
    )
    op.create_table('credit_queries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('profile_digest', sa.String(length=80), nullable=False),
    sa.Column('queried_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_credit_queries_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organizations.id'], name=op.f('fk_credit_queries_enterprise_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_queries'))
    )
    with op.batch_alter_table('credit_queries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_queries_bank_org_id'), ['bank_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_queries_enterprise_org_id'), ['enterprise_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_queries_queried_at'), ['queried_at'], unique=False)

    op.create_table('financing_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tenor_days', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('accepted_offer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organizations.id'], name=op.f('fk_financing_needs_enterprise_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financing_needs'))
    )
    with op.batch_alter_table('financing_needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_needs_enterprise_org_id'), ['enterprise_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financing_needs_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_financing_needs_status'), ['status'], unique=False)

    op.create_table('financings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=False),
    sa.Column('insurer_org_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=True),
    sa.Column('scenario', sa.String(length=16), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('overdue_since', sa.Date(), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('disbursed_minor', sa.BigInteger(), nullable=False),
    sa.Column('repaid_minor', sa.BigInteger(), nullable=False),
    sa.Column('rate', sa.String(length=16), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('reserved_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('maker_principal_id', sa.Integer(), nullable=True),
    sa.Column('approver_principal_id', sa.Integer(), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_financings_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organizations.id'], name=op.f('fk_financings_enterprise_org_id_organizations')),
    sa.ForeignKeyConstraint(['insurer_org_id'], ['organizations.id'], name=op.f('fk_financings_insurer_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financings')),
    sa.UniqueConstraint('bank_org_id', 'external_ref', name='uq_financings_bank_ref')
    )
    with op.batch_alter_table('financings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financings_bank_org_id'), ['bank_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financings_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_financings_enterprise_org_id'), ['enterprise_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financings_insurer_org_id'), ['insurer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financings_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_financings_state'), ['state'], unique=False)
        batch_op.create_index('ix_financings_state_reserved', ['state', 'reserved_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_financings_updated_at'), ['updated_at'], unique=False)

    op.create_table('financing_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=16), nullable=False),
    sa.Column('tenor_days', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('financing_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_financing_offers_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['financing_id'], ['financings.id'], name=op.f('fk_financing_offers_financing_id_financings')),
    sa.ForeignKeyConstraint(['need_id'], ['financing_needs.id'], name=op.f('fk_financing_offers_need_id_financing_needs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financing_offers'))
    )
    with op.batch_alter_table('financing_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_offers_bank_org_id'), ['bank_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financing_offers_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financing_offers_status'), ['status'], unique=False)

    op.create_table('financing_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('financing_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('allocated_minor', sa.BigInteger(), nullable=False),
    sa.Column('reserved_minor', sa.BigInteger(), nullable=False),
    sa.Column('released_minor', sa.BigInteger(), nullable=False),
    sa.Column('released_alloc_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('counts_use', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('fx_rate', sa.String(length=40), nullable=True),
    sa.Column('fx_source', sa.String(length=32), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_financing_uses_document_id_documents')),
    sa.ForeignKeyConstraint(['financing_id'], ['financings.id'], name=op.f('fk_financing_uses_financing_id_financings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_financing_uses'))
    )
    with op.batch_alter_table('financing_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financing_uses_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_financing_uses_financing_id'), ['financing_id'], unique=False)



def downgrade() -> None:
    # Dropping a table drops its indexes on both engines.
    op.drop_table('financing_uses')
    op.drop_table('financing_offers')
    op.drop_table('financings')
    op.drop_table('financing_needs')
    op.drop_table('credit_queries')
    op.drop_table('fx_rates')
    op.drop_table('financing_clock')
