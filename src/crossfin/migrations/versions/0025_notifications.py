"""notifications: the portal inbox, per-user read marks, the e-mail outbox, principals' e-mail

Revision ID: 0025_notifications
Revises: 0024_filings

No backfill: every table starts empty and no principal has an address yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0025_notifications'
down_revision = '0024_filings'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject_zh', sa.String(length=200), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("link IS NULL OR link LIKE '/%'", name=op.f('ck_notifications_link_path')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_notifications_org_id_organizations')),
    sa.ForeignKeyConstraint(['principal_id'], ['principals.id'], name=op.f('fk_notifications_principal_id_principals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_org_principal', ['org_id', 'principal_id', 'id'], unique=False)

    op.create_table('notification_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('queued','sent','failed')", name=op.f('ck_notification_mail_state')),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_mail_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principal_id'], ['principals.id'], name=op.f('fk_notification_mail_principal_id_principals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_mail'))
    )
    with op.batch_alter_table('notification_mail', schema=None) as batch_op:
        batch_op.create_index('ix_notification_mail_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_mail_notification_id'), ['notification_id'], unique=False)

    op.create_table('notification_reads',
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_reads_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principal_id'], ['principals.id'], name=op.f('fk_notification_reads_principal_id_principals')),
    sa.PrimaryKeyConstraint('notification_id', 'principal_id', name=op.f('pk_notification_reads'))
    )
    with op.batch_alter_table('notification_reads', schema=None) as batch_op:
        batch_op.create_index('ix_notification_reads_principal', ['principal_id'], unique=False)

    with op.batch_alter_table('principals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('principals', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('notification_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_reads_principal')

    op.drop_table('notification_reads')
    with op.batch_alter_table('notification_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_mail_notification_id'))
        batch_op.drop_index('ix_notification_mail_due')

    op.drop_table('notification_mail')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_org_principal')

    op.drop_table('notifications')
