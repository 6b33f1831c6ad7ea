"""dispatched offices (a regulator's parent office) and the office that handles each case

Revision ID: 0022_dispatched_offices
Revises: 0021_financing_stats

Existing cases get the office that handles their county today: the deepest regulator
above the case's seat that is not at a county (no dispatched office exists before this
revision; a regulator already seated at a county is left to `crossfin jurisdictions
check`, never moved). Organizations are not moved either.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0022_dispatched_offices'
down_revision = '0021_financing_stats'
branch_labels = None
depends_on = None

# The same rule as parties/offices.handling_office, in SQL both engines run: paths hold
# digits and slashes only, so LIKE's wildcards cannot occur in them.
BACKFILL = """
UPDATE alert_cases SET handling_org_id = (
    SELECT o.id FROM organizations o JOIN jurisdictions j ON j.code = o.jurisdiction_code
    WHERE o.kind = 'regulator' AND j.level <> 'county'
      AND COALESCE(alert_cases.jurisdiction_path, '/000000/') LIKE o.jurisdiction_path || '%'
    ORDER BY length(o.jurisdiction_path) DESC, o.id
    LIMIT 1
)
"""


def upgrade() -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_org_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_organizations_parent_org_id_organizations'),
            'organizations', ['parent_org_id'], ['id'],
        )
        batch_op.create_index(
            batch_op.f('ix_organizations_parent_org_id'), ['parent_org_id'], unique=False
        )
        batch_op.create_index(
            'uq_organizations_dispatched_seat', ['jurisdiction_code'], unique=True,
            sqlite_where=sa.text('parent_org_id IS NOT NULL'),
            postgresql_where=sa.text('parent_org_id IS NOT NULL'),
        )
    with op.batch_alter_table('alert_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_org_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_alert_cases_handling_org_id_organizations'),
            'organizations', ['handling_org_id'], ['id'],
        )
        batch_op.create_index(
            batch_op.f('ix_alert_cases_handling_org_id'), ['handling_org_id'], unique=False
        )
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table('alert_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_cases_handling_org_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_alert_cases_handling_org_id_organizations'), type_='foreignkey'
        )
        batch_op.drop_column('handling_org_id')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('uq_organizations_dispatched_seat')
        batch_op.drop_index(batch_op.f('ix_organizations_parent_org_id'))
        batch_op.drop_constraint(
            batch_op.f('fk_organizations_parent_org_id_organizations'), type_='foreignkey'
        )
        batch_op.drop_column('parent_org_id')
