"""What a risk report's content decides about its filing: the date its clock starts and
whose regulators receive it. Read from the prepared (stored) content, so no separate
field can disagree with it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.parties.models import Jurisdiction, Organization


def discovered_on(content: dict[str, Any]) -> date:
    """The discovery date: the report's deadline runs from it (prepared content only)."""
    return date.fromisoformat(str(content["discovered_on"]))


def subject_jurisdiction(session: Session, content: dict[str, Any]) -> str | None:
    """The path of the first enterprise subject's county: its seat when it is a crossfin
    party, else the registering authority's division code inside its USCC (GB 32100:
    characters 3 to 8) when that code is a known jurisdiction; None without either."""
    for subject in content.get("subjects", []):
        if subject.get("kind") != "enterprise":
            continue
        uscc = str(subject["uscc"])
        seat = session.scalars(
            select(Organization.jurisdiction_path).where(Organization.uscc == uscc)
        ).first()
        if seat is not None:
            return seat
        node = session.get(Jurisdiction, uscc[2:8])
        if node is not None:
            return node.path
    return None
