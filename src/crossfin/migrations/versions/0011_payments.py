"""payments: payments, uses, scope versions; class gate versions

Revision ID: 0011_payments
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = "0011_payments"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('class_gate_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changed_by_org_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_class_gate_versions'))
    )
    op.create_table('payment_scope_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('codes', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_scope_versions')),
    sa.UniqueConstraint('scenario', 'version', name='uq_payment_scope_versions_scenario_version')
    )
    with op.batch_alter_table('payment_scope_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_scope_versions_scenario'), ['scenario'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('payer_org_id', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=True),
    sa.Column('scenario', sa.String(length=8), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('trade_class', sa.String(length=1), nullable=False),
    sa.Column('treatment', sa.String(length=16), nullable=False),
    sa.Column('payee_name', sa.String(length=140), nullable=False),
    sa.Column('payee_country', sa.String(length=2), nullable=False),
    sa.Column('payee_account', sa.String(length=34), nullable=True),
    sa.Column('payee_bic', sa.String(length=11), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('usd_minor', sa.BigInteger(), nullable=False),
    sa.Column('usd_rate', sa.String(length=40), nullable=True),
    sa.Column('usd_rate_source', sa.String(length=32), nullable=True),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('purpose_code', sa.String(length=8), nullable=False),
    sa.Column('maker_principal_id', sa.Integer(), nullable=True),
    sa.Column('approver_principal_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_payments_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['payer_org_id'], ['organizations.id'], name=op.f('fk_payments_payer_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('bank_org_id', 'external_ref', name='uq_payments_bank_ref')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_bank_org_id'), ['bank_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_payer_org_id'), ['payer_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_state'), ['state'], unique=False)

    op.create_table('payment_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('used_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_payment_uses_document_id_documents')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_uses_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_uses'))
    )
    with op.batch_alter_table('payment_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_uses_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_uses_payment_id'), ['payment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_uses_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_uses_document_id'))

    op.drop_table('payment_uses')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_state'))
        batch_op.drop_index(batch_op.f('ix_payments_payer_org_id'))
        batch_op.drop_index(batch_op.f('ix_payments_jurisdiction_path'))
        batch_op.drop_index(batch_op.f('ix_payments_created_at'))
        batch_op.drop_index(batch_op.f('ix_payments_bank_org_id'))

    op.drop_table('payments')
    with op.batch_alter_table('payment_scope_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_scope_versions_scenario'))

    op.drop_table('payment_scope_versions')
    op.drop_table('class_gate_versions')
