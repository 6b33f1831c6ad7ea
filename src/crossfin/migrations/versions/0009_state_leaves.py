"""state trees: the per-entity leaves behind an event's state_tree commitment

Revision ID: 0009_state
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_state"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_state_leaves",
        sa.Column("tree_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entity", sa.String(length=80), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tree_id", "position", name=op.f("pk_ledger_state_leaves")),
    )


def downgrade() -> None:
    op.drop_table("ledger_state_leaves")
