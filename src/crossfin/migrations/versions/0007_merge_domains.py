"""Merge the documents-ingestion, documents-access and financing branches into one head.

They were developed side by side from 0002 and touch disjoint tables.

Revision ID: 0007
Revises: 0004, 0005, 0006
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches."""


def downgrade() -> None:
    """Nothing to change: this revision only joins the branches."""
