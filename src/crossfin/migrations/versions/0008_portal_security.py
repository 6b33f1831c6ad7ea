"""portal security shared by every worker: login failures (the throttle) and logins

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"], unique=False)
    op.create_index(op.f("ix_login_failures_at"), "login_failures", ["at"], unique=False)
    op.create_table(
        "portal_logins",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["principal_id"], ["principals.id"],
                                name=op.f("fk_portal_logins_principal_id_principals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_logins")),
    )
    op.create_index(op.f("ix_portal_logins_principal_id"), "portal_logins", ["principal_id"],
                    unique=False)
    op.create_index(op.f("ix_portal_logins_created_at"), "portal_logins", ["created_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_portal_logins_created_at"), table_name="portal_logins")
    op.drop_index(op.f("ix_portal_logins_principal_id"), table_name="portal_logins")
    op.drop_table("portal_logins")
    op.drop_index(op.f("ix_login_failures_at"), table_name="login_failures")
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")
