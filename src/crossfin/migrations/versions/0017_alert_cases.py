"""alert rules as data, explainable alerts (records, rule), cases and their steps

Revision ID: 0017_alert_cases
Revises: 0016_enterprise_classes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0017_alert_cases'
down_revision = '0016_enterprise_classes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_rule_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('scope', sa.String(length=6), nullable=False),
    sa.Column('scope_path', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changed_by_org_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rule_versions')),
    sa.UniqueConstraint('kind', 'scope', 'version', name=op.f('uq_alert_rule_versions_kind'))
    )
    with op.batch_alter_table('alert_rule_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_rule_versions_scope_path'), ['scope_path'], unique=False)

    op.create_table('alert_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_org_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_path', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('assignee_principal_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('opened_by_principal_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_principal_id'], ['principals.id'], name=op.f('fk_alert_cases_assignee_principal_id_principals')),
    sa.ForeignKeyConstraint(['subject_org_id'], ['organizations.id'], name=op.f('fk_alert_cases_subject_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_cases'))
    )
    with op.batch_alter_table('alert_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_cases_assignee_principal_id'), ['assignee_principal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_cases_jurisdiction_path'), ['jurisdiction_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_cases_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_cases_subject_org_id'), ['subject_org_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('principal_name', sa.String(length=200), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['alert_cases.id'], name=op.f('fk_case_steps_case_id_alert_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_steps_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('records', sa.Text(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('rule', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_alerts_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_case_id'))
        batch_op.drop_column('case_id')
        batch_op.drop_column('rule')
        batch_op.drop_column('records')

    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_steps_case_id'))

    op.drop_table('case_steps')
    with op.batch_alter_table('alert_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_cases_subject_org_id'))
        batch_op.drop_index(batch_op.f('ix_alert_cases_state'))
        batch_op.drop_index(batch_op.f('ix_alert_cases_jurisdiction_path'))
        batch_op.drop_index(batch_op.f('ix_alert_cases_assignee_principal_id'))

    op.drop_table('alert_cases')
    with op.batch_alter_table('alert_rule_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_rule_versions_scope_path'))

    op.drop_table('alert_rule_versions')
