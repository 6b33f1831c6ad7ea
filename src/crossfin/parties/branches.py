"""Bank branches: a bank may name its head office (another bank) as its parent.

One level only: a head office has no parent, so a filer's chain is the branch and its
head office (crossfin.filings reads it; docs/filings.md, "Visibility").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError
from crossfin.parties.models import Organization, OrgKind

PARENT = "parent_org_id"


def branch_errors(session: Session, parent_org_id: int | None) -> list[FieldError]:
    """Why a new bank may not name `parent_org_id` as its head office, or nothing."""
    if parent_org_id is None:
        return []
    parent = session.get(Organization, parent_org_id)
    if parent is None or parent.kind != OrgKind.BANK.value:
        return [FieldError(PARENT, f"no bank {parent_org_id}")]
    if parent.parent_org_id is not None:
        return [FieldError(PARENT, "a branch cannot have branches: name its head office")]
    return []


def head_office_id(org: Organization) -> int:
    """The organization's head office: its parent for a bank branch, else itself."""
    if org.kind == OrgKind.BANK.value and org.parent_org_id is not None:
        return org.parent_org_id
    return org.id
