"""One enterprise's alerts and cases for its regulator's page (web/enterprise_data.py),
and the regulatory records its cases left (parties/records.py).

Alerts and cases are the regulators' own work: `enterprise_supervision` answers only a
regulator, and only what its subtree holds (an alert or case filed elsewhere is not
listed, even about a firm it supervises). The records are what a closed case concluded
against the firm; they go to the firm's page and to the banks it lets read its credit
profile, without the notes, the analysts or the alerts' evidence.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.parties.access import Caller, require_kind, supervised
from crossfin.parties.alerts import Alert
from crossfin.parties.models import OrgKind
from crossfin.parties.records import RegulatoryRecord
from crossfin.supervision.casework.service import CaseState, Outcome, is_overdue
from crossfin.supervision.models import AlertCase

NEWEST = 10
# What a closed case must have found to become a record about the firm.
FINDINGS = (Outcome.WARNING_ISSUED.value, Outcome.REFERRED.value)


class AlertCount(BaseModel):
    kind: str
    count: int


class AlertRow(BaseModel):
    id: int
    kind: str
    created_at: datetime
    case_id: int | None
    href: str = Field(description="The alert's API path.")


class CaseRow(BaseModel):
    id: int
    state: str
    outcome: str | None
    due_date: date
    overdue: bool
    opened_at: datetime
    closed_at: datetime | None
    href: str = Field(description="The case's API path.")


class SupervisionSummary(BaseModel):
    alerts_total: int
    alerts_by_kind: list[AlertCount]
    alerts: list[AlertRow] = Field(description="The newest few, newest first.")
    cases: list[CaseRow] = Field(description="Every case about it, newest first.")


def enterprise_supervision(
    session: Session, caller: Caller, org_id: int, newest: int = NEWEST
) -> SupervisionSummary:
    """The alerts and cases about the enterprise that the regulator's subtree holds."""
    require_kind(caller, OrgKind.REGULATOR)
    about = (Alert.subject_org_id == org_id) & supervised(caller, Alert.jurisdiction_path)
    counts = session.execute(
        select(Alert.kind, func.count()).where(about).group_by(Alert.kind).order_by(Alert.kind)
    ).all()
    alerts = session.scalars(select(Alert).where(about).order_by(Alert.id.desc()).limit(newest))
    cases = session.scalars(
        select(AlertCase)
        .where(
            AlertCase.subject_org_id == org_id,
            supervised(caller, AlertCase.jurisdiction_path),
        )
        .order_by(AlertCase.id.desc())
    )
    today = business_date()
    return SupervisionSummary(
        alerts_total=sum(int(n) for _, n in counts),
        alerts_by_kind=[AlertCount(kind=k, count=int(n)) for k, n in counts],
        alerts=[
            AlertRow(
                id=a.id,
                kind=a.kind,
                created_at=a.created_at,
                case_id=a.case_id,
                href=f"/v1/alerts/{a.id}",
            )
            for a in alerts
        ],
        cases=[
            CaseRow(
                id=c.id,
                state=c.state,
                outcome=c.outcome,
                due_date=c.due_date,
                overdue=is_overdue(c, today),
                opened_at=c.opened_at,
                closed_at=c.closed_at,
                href=f"/v1/cases/{c.id}",
            )
            for c in cases
        ],
    )


def case_records(session: Session, org_id: int) -> list[RegulatoryRecord]:
    """The firm's closed cases that found something, each with its alerts' kinds."""
    closed = list(
        session.scalars(
            select(AlertCase).where(
                AlertCase.subject_org_id == org_id,
                AlertCase.state == CaseState.CLOSED.value,
                AlertCase.outcome.in_(FINDINGS),
            )
        )
    )
    kinds: dict[int, set[str]] = {c.id: set() for c in closed}
    if closed:
        query = select(Alert.case_id, Alert.kind).where(Alert.case_id.in_(list(kinds)))
        for case_id, kind in session.execute(query):
            kinds.setdefault(case_id or 0, set()).add(kind)
    return [
        RegulatoryRecord(
            kind="case-outcome",
            outcome=c.outcome or "",
            concerning=sorted(kinds[c.id]),
            opened=business_date(c.opened_at),
            closed=business_date(c.closed_at or c.updated_at),
        )
        for c in closed
    ]
