"""F8 goods releases (F3, F6 and the new kinds need no schema change)

Revision ID: 0030_scenarios_f3_f6_f8
Revises: 0029_ebl_chain

One new table, empty: the releases of pledged goods an F8 financing's bank orders against
repayment. Document kinds are not constrained in the schema (rail consignment notes and
warehouse movements are rows of `documents` like any other), nor are scenarios or alert
kinds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030_scenarios_f3_f6_f8"
down_revision = "0029_ebl_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goods_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("financing_id", sa.Integer(), nullable=False),
        sa.Column("receipt_document_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("repaid_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["financing_id"],
            ["financings.id"],
            name=op.f("fk_goods_releases_financing_id_financings"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_document_id"],
            ["documents.id"],
            name=op.f("fk_goods_releases_receipt_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_releases")),
        sa.UniqueConstraint(
            "financing_id", "reference", name="uq_goods_releases_financing_id_reference"
        ),
    )
    op.create_index(
        op.f("ix_goods_releases_financing_id"), "goods_releases", ["financing_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_goods_releases_financing_id"), table_name="goods_releases")
    op.drop_table("goods_releases")
