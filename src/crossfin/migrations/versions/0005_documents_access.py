"""documents access side: consents, verifications, mismatch tallies, fingerprints

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fingerprints',
    sa.Column('presenter', sa.LargeBinary(length=32), nullable=False),
    sa.Column('exact', sa.LargeBinary(length=32), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('presenter', name=op.f('pk_fingerprints'))
    )
    op.create_index(op.f('ix_fingerprints_exact'), 'fingerprints', ['exact'], unique=False)
    op.create_table('fingerprint_variants',
    sa.Column('presenter', sa.LargeBinary(length=32), nullable=False),
    sa.Column('variant', sa.LargeBinary(length=32), nullable=False),
    sa.ForeignKeyConstraint(['presenter'], ['fingerprints.presenter'], name=op.f('fk_fingerprint_variants_presenter_fingerprints')),
    sa.PrimaryKeyConstraint('presenter', 'variant', name=op.f('pk_fingerprint_variants'))
    )
    op.create_index('ix_fingerprint_variants_variant', 'fingerprint_variants', ['variant'], unique=False)
    op.create_table('verification_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=True),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('authentic', sa.Integer(), nullable=False),
    sa.Column('mismatch', sa.Integer(), nullable=False),
    sa.Column('unknown', sa.Integer(), nullable=False),
    sa.Column('items_root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_verification_requests_bank_org_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_requests'))
    )
    op.create_index(op.f('ix_verification_requests_bank_org_id'), 'verification_requests', ['bank_org_id'], unique=False)
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_org_id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('scopes', sa.String(length=400), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=True),
    sa.Column('granted_by', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_consents_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['enterprise_org_id'], ['organizations.id'], name=op.f('fk_consents_enterprise_org_id_organizations')),
    sa.ForeignKeyConstraint(['granted_by'], ['principals.id'], name=op.f('fk_consents_granted_by_principals')),
    sa.ForeignKeyConstraint(['revoked_by'], ['principals.id'], name=op.f('fk_consents_revoked_by_principals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    op.create_index(op.f('ix_consents_bank_org_id'), 'consents', ['bank_org_id'], unique=False)
    op.create_index('ix_consents_enterprise_bank', 'consents', ['enterprise_org_id', 'bank_org_id'], unique=False)
    op.create_table('verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('fields', sa.Text(), nullable=True),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('remaining_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('available', sa.Boolean(), nullable=True),
    sa.Column('leaf_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_verifications_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_verifications_document_id_documents')),
    sa.ForeignKeyConstraint(['request_id'], ['verification_requests.id'], name=op.f('fk_verifications_request_id_verification_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifications'))
    )
    op.create_index('ix_verifications_bank', 'verifications', ['bank_org_id', 'id'], unique=False)
    op.create_index(op.f('ix_verifications_document_id'), 'verifications', ['document_id'], unique=False)
    op.create_index(op.f('ix_verifications_request_id'), 'verifications', ['request_id'], unique=False)
    op.create_table('verification_tallies',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('bank_org_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('mismatches', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_verification_tallies_alert_id_alerts')),
    sa.ForeignKeyConstraint(['bank_org_id'], ['organizations.id'], name=op.f('fk_verification_tallies_bank_org_id_organizations')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_verification_tallies_document_id_documents')),
    sa.PrimaryKeyConstraint('document_id', 'bank_org_id', 'day', name=op.f('pk_verification_tallies'))
    )


def downgrade() -> None:
    for table in ("verification_tallies", "verifications", "consents",
                  "verification_requests", "fingerprint_variants", "fingerprints"):
        op.drop_table(table)
