"""payments P2: the documents threshold of a payment scenario, versioned

Revision ID: 0012_payments_p2
Revises: 0011_payments
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_payments_p2"
down_revision = "0011_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_threshold_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("usd_minor", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("changed_by_org_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_threshold_versions")),
        sa.UniqueConstraint(
            "scenario", "version", name="uq_payment_threshold_versions_scenario_version"
        ),
    )
    with op.batch_alter_table("payment_threshold_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payment_threshold_versions_scenario"), ["scenario"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_threshold_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_threshold_versions_scenario"))
    op.drop_table("payment_threshold_versions")
