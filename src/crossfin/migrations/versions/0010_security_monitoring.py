"""security monitoring: security events, operator security alerts, rate-limit windows

Revision ID: 0010
Revises: 0009_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("principal_id", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.String(length=16), nullable=True),
        sa.Column("route", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_index(op.f("ix_security_events_at"), "security_events", ["at"], unique=False)
    op.create_index("ix_security_events_kind_at", "security_events", ["kind", "at"], unique=False)
    op.create_table(
        "security_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("open_kind", sa.String(length=32), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_alerts")),
        sa.UniqueConstraint("open_kind", name=op.f("uq_security_alerts_open_kind")),
    )
    op.create_index(op.f("ix_security_alerts_kind"), "security_alerts", ["kind"], unique=False)
    op.create_index(op.f("ix_security_alerts_last_at"), "security_alerts", ["last_at"],
                    unique=False)
    op.create_table(
        "rate_windows",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("route_class", sa.String(length=24), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "route_class", "window_start",
                                name=op.f("pk_rate_windows")),
    )


def downgrade() -> None:
    op.drop_table("rate_windows")
    op.drop_index(op.f("ix_security_alerts_last_at"), table_name="security_alerts")
    op.drop_index(op.f("ix_security_alerts_kind"), table_name="security_alerts")
    op.drop_table("security_alerts")
    op.drop_index("ix_security_events_kind_at", table_name="security_events")
    op.drop_index(op.f("ix_security_events_at"), table_name="security_events")
    op.drop_table("security_events")
