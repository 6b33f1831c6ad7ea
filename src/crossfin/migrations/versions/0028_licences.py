"""online administrative licensing: which material an attachment is, the review clock's
start and the decision's verification code

Revision ID: 0028_licences
Revises: 0027_scenario_caps

Nullable columns: rows of other systems leave the licence ones empty; `finished_on` (the
business day a filing was decided, closed or withdrawn) is set from now on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_licences"
down_revision = "0027_scenario_caps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("filing_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("material", sa.String(length=32), nullable=True))
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_started", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("verification_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("finished_on", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_filings_verification_code"), ["verification_code"]
        )


def downgrade() -> None:
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_filings_verification_code"), type_="unique")
        batch_op.drop_column("finished_on")
        batch_op.drop_column("verification_code")
        batch_op.drop_column("review_started")
    with op.batch_alter_table("filing_attachments", schema=None) as batch_op:
        batch_op.drop_column("material")
