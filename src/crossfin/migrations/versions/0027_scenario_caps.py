"""scenario caps as data, F4 insurance claims, F7 needs' expiry

Revision ID: 0027_scenario_caps
Revises: 0026_calendar_years

Two new tables, empty: until a caps version is loaded, the shipped defaults apply
(financing/caps/store.py). Every need gets an expiry: the existing ones expire 90 days
after they were published (the shipped F7 `need_validity_days`), so old open needs stop
taking offers instead of staying open forever.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op


revision = "0027_scenario_caps"
down_revision = "0026_calendar_years"
branch_labels = None
depends_on = None

_VALIDITY_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "scenario_caps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("params_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_caps")),
        sa.UniqueConstraint("scenario", "version", name="uq_scenario_caps_scenario_version"),
    )
    op.create_index(op.f("ix_scenario_caps_scenario"), "scenario_caps", ["scenario"], unique=False)
    op.create_table(
        "insurance_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("financing_id", sa.Integer(), nullable=False),
        sa.Column("policy_document_id", sa.Integer(), nullable=False),
        sa.Column("insurer_org_id", sa.Integer(), nullable=False),
        sa.Column("assignee_bank_org_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["financing_id"], ["financings.id"],
            name=op.f("fk_insurance_claims_financing_id_financings"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_document_id"], ["documents.id"],
            name=op.f("fk_insurance_claims_policy_document_id_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["insurer_org_id"], ["organizations.id"],
            name=op.f("fk_insurance_claims_insurer_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_bank_org_id"], ["organizations.id"],
            name=op.f("fk_insurance_claims_assignee_bank_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_claims")),
        sa.UniqueConstraint(
            "financing_id", "reference", name="uq_insurance_claims_financing_id_reference"
        ),
    )
    op.create_index(
        op.f("ix_insurance_claims_financing_id"), "insurance_claims", ["financing_id"], unique=False
    )
    with op.batch_alter_table("financing_needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
    _backfill_expiry()
    with op.batch_alter_table("financing_needs", schema=None) as batch_op:
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=False)


def _backfill_expiry() -> None:
    """Each existing need expires `_VALIDITY_DAYS` after its publication day (in Python:
    date arithmetic differs between SQLite and PostgreSQL)."""
    bind = op.get_bind()
    needs = sa.table(
        "financing_needs",
        sa.column("id", sa.Integer()),
        sa.column("created_at"),  # untyped: SQLite gives text, PostgreSQL a datetime
        sa.column("expires_on", sa.Date()),
    )
    for ident, created in bind.execute(sa.select(needs.c.id, needs.c.created_at)).all():
        day = created.date() if isinstance(created, datetime) else date.fromisoformat(created[:10])
        bind.execute(
            needs.update()
            .where(needs.c.id == ident)
            .values(expires_on=day + timedelta(days=_VALIDITY_DAYS))
        )


def downgrade() -> None:
    with op.batch_alter_table("financing_needs", schema=None) as batch_op:
        batch_op.drop_column("expires_on")
    op.drop_index(op.f("ix_insurance_claims_financing_id"), table_name="insurance_claims")
    op.drop_table("insurance_claims")
    op.drop_index(op.f("ix_scenario_caps_scenario"), table_name="scenario_caps")
    op.drop_table("scenario_caps")
