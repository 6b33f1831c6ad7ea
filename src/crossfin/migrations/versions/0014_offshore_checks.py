"""payments p4: offshore trade checks, their endorsed documents, tolerances; the
documents' reference index

Revision ID: 0014_offshore_checks
Revises: 0013_payments_p1
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014_offshore_checks'
down_revision = '0013_payments_p1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_refs',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_refs_document_id_documents')),
    sa.PrimaryKeyConstraint('document_id', 'ref', name=op.f('pk_document_refs'))
    )
    with op.batch_alter_table('document_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_refs_ref'), ['ref'], unique=False)

    op.create_table('offshore_tolerance_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changed_by_org_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_offshore_tolerance_versions'))
    )
    op.create_table('offshore_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=True),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('trade_class', sa.String(length=1), nullable=False),
    sa.Column('treatment', sa.String(length=16), nullable=False),
    sa.Column('contract_no', sa.String(length=64), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('buyer_name', sa.String(length=200), nullable=False),
    sa.Column('buyer_country', sa.String(length=2), nullable=False),
    sa.Column('seller_name', sa.String(length=200), nullable=False),
    sa.Column('seller_country', sa.String(length=2), nullable=False),
    sa.Column('bl_key', sa.String(length=64), nullable=False),
    sa.Column('declaration_key', sa.String(length=64), nullable=False),
    sa.Column('containers', sa.Text(), nullable=False),
    sa.Column('goods', sa.Text(), nullable=False),
    sa.Column('event_keys', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('comparisons', sa.Text(), nullable=False),
    sa.Column('tolerance_version', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('report_digest', sa.String(length=64), nullable=False),
    sa.Column('maker_principal_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_offshore_checks_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organizations.id'], name=op.f('fk_offshore_checks_enterprise_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offshore_checks')),
    sa.UniqueConstraint('bank_org_id', 'external_ref', name='uq_offshore_checks_bank_ref'),
    sa.UniqueConstraint('event_id', name=op.f('uq_offshore_checks_event_id'))
    )
    with op.batch_alter_table('offshore_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offshore_checks_bank_org_id'), ['bank_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offshore_checks_bl_key'), ['bl_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_offshore_checks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_offshore_checks_enterprise_org_id'), ['enterprise_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offshore_checks_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_offshore_checks_outcome'), ['outcome'], unique=False)

    op.create_table('offshore_check_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('used_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['offshore_checks.id'], name=op.f('fk_offshore_check_uses_check_id_offshore_checks')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_offshore_check_uses_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offshore_check_uses'))
    )
    with op.batch_alter_table('offshore_check_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offshore_check_uses_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offshore_check_uses_document_id'), ['document_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('offshore_check_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offshore_check_uses_document_id'))
        batch_op.drop_index(batch_op.f('ix_offshore_check_uses_check_id'))

    op.drop_table('offshore_check_uses')
    with op.batch_alter_table('offshore_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offshore_checks_outcome'))
        batch_op.drop_index(batch_op.f('ix_offshore_checks_jurisdiction_path'))
        batch_op.drop_index(batch_op.f('ix_offshore_checks_enterprise_org_id'))
        batch_op.drop_index(batch_op.f('ix_offshore_checks_created_at'))
        batch_op.drop_index(batch_op.f('ix_offshore_checks_bl_key'))
        batch_op.drop_index(batch_op.f('ix_offshore_checks_bank_org_id'))

    op.drop_table('offshore_checks')
    op.drop_table('offshore_tolerance_versions')
    with op.batch_alter_table('document_refs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_refs_ref'))

    op.drop_table('document_refs')
