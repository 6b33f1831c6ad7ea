"""Organizations an older database seated where onboarding now refuses: `crossfin
jurisdictions check`. It lists them and moves nobody: where a firm really sits is a fact
only its regulator can establish.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.parties.jurisdictions import firm_seat_paths
from crossfin.parties.models import Jurisdiction, Organization, OrgKind


@dataclass(frozen=True)
class Misplaced:
    """One organization and why its seat breaks today's rule."""

    org_id: int
    kind: str
    name: str
    jurisdiction: str | None
    level: str | None
    reason: str


def misplaced(session: Session) -> list[Misplaced]:
    """Enterprises not at a county-level seat, and regulators at a county that are not
    dispatched offices, by organization id. A firm at a retired county is not listed:
    it sat in a county, and its old records must keep resolving there."""
    seats = set(firm_seat_paths(session))
    query = (
        select(Organization, Jurisdiction.level, Jurisdiction.retired)
        .outerjoin(Jurisdiction, Jurisdiction.code == Organization.jurisdiction_code)
        .where(Organization.kind.in_([OrgKind.ENTERPRISE.value, OrgKind.REGULATOR.value]))
        .order_by(Organization.id)
    )
    found = []
    for org, level, retired in session.execute(query):
        reason = _reason(org, level, retired is not None, seats)
        if reason:
            found.append(
                Misplaced(org.id, org.kind, org.name, org.jurisdiction_code, level, reason)
            )
    return found


def _reason(org: Organization, level: str | None, retired: bool, seats: set[str]) -> str:
    if org.kind == OrgKind.REGULATOR.value:
        if level == "county" and org.parent_org_id is None:
            return "a regulator at a county without a parent office"
        return ""
    if org.jurisdiction_path is None:
        return "an enterprise without a seat"
    if (level == "county" and retired) or org.jurisdiction_path in seats:
        return ""
    return f"an enterprise at a {level}, not a county"
