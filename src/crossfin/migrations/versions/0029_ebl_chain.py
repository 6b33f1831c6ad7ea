"""endorsement chains of negotiable bills of lading (DCSA eBL steps)

Revision ID: 0029_ebl_chain
Revises: 0028_licences

One new table, empty: a bill's chain starts with its issuance step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_ebl_chain"
down_revision = "0028_licences"
branch_labels = None
depends_on = None


def _org(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["organizations.id"], name=op.f(f"fk_ebl_steps_{column}_organizations")
    )


def upgrade() -> None:
    op.create_table(
        "ebl_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("to_uscc", sa.String(length=18), nullable=True),
        sa.Column("to_name", sa.String(length=200), nullable=True),
        sa.Column("to_platform", sa.String(length=32), nullable=True),
        sa.Column("to_source_org_id", sa.Integer(), nullable=True),
        sa.Column("pledgee_org_id", sa.Integer(), nullable=True),
        sa.Column("financing_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_org_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("proof", sa.Text(), nullable=True),
        sa.Column("source_key_id", sa.Integer(), nullable=True),
        sa.Column("entry_checksum", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_ebl_steps_document_id_documents")
        ),
        _org("to_source_org_id"),
        _org("pledgee_org_id"),
        _org("recorded_by_org_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ebl_steps")),
        sa.UniqueConstraint("document_id", "seq", name="uq_ebl_steps_document_seq"),
    )
    for column in ("document_id", "to_uscc", "pledgee_org_id", "recorded_by_org_id"):
        op.create_index(op.f(f"ix_ebl_steps_{column}"), "ebl_steps", [column], unique=False)


def downgrade() -> None:
    for column in ("document_id", "to_uscc", "pledgee_org_id", "recorded_by_org_id"):
        op.drop_index(op.f(f"ix_ebl_steps_{column}"), table_name="ebl_steps")
    op.drop_table("ebl_steps")
