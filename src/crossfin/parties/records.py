"""An enterprise's regulatory records: what a regulator concluded about it, which the F2
credit profile (financing/market/credit.py) and the enterprise's page carry.

A record is a finding, not a suspicion: supervision's cases closed with a warning issued or
a referral (an open case, an alert or a false positive stays with the regulators). The
cases live in supervision, which financing may not import, so supervision hands its
records in through `add_record_source`, filled at assembly like the volumes'
(parties/volumes.py); without a source (a lower floor's own tests) there is no record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session


class RegulatoryRecord(BaseModel):
    kind: str = Field(description="What the record is: `case-outcome`.")
    outcome: str = Field(description="warning_issued or referred")
    concerning: list[str] = Field(description="The kinds of the alerts the case worked.")
    opened: date
    closed: date


RecordSource = Callable[[Session, int], list[RegulatoryRecord]]
_SOURCES: list[RecordSource] = []


def add_record_source(source: RecordSource) -> None:
    """Register a domain's records (assembly does, once per domain)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def records_of(session: Session, org_id: int) -> list[RegulatoryRecord]:
    """Every record about the enterprise, newest closed first."""
    found = [r for source in _SOURCES for r in source(session, org_id)]
    return sorted(found, key=lambda r: (r.closed, r.opened), reverse=True)
