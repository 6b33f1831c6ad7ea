"""Completeness: for a form and a period, every institution expected to file in the
regulator's subtree and where it stands (docs/filings.md, "Regulator views").

Expected: every bank or enterprise with a filing of the form the regulator reads (it was
submitted once, and lies in the subtree asked) for this period or any earlier one. Drafts
are the filer's alone (filings/visibility.py), so a draft counts as not filed here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.workdays import CalendarOutOfRange
from crossfin.filings.calendar.cache import official_calendar
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.oversight.scope import Node, Scope, form_of, period_end, scope_of
from crossfin.filings.schemas import ClockStart
from crossfin.filings.steps import ACKNOWLEDGED, FilingState
from crossfin.filings.visibility import readable
from crossfin.parties.access import Caller
from crossfin.parties.service import orgs_by_id

ACCEPTED = ACKNOWLEDGED


class Status(StrEnum):
    NOT_FILED = "not_filed"
    OVERDUE = "overdue"  # not filed, and the due day has passed
    SUBMITTED = "submitted"  # filed in time, not (or no longer) acknowledged
    ACCEPTED = "accepted"  # filed in time and acknowledged
    LATE = "late"  # filed after the due day


class InstitutionOut(BaseModel):
    org_id: int
    name: str
    name_zh: str | None
    child: str  # the code of the child division (or the node) where it files
    status: Status
    filing_id: int | None
    reference: str | None
    state: str | None
    submitted_on: date | None


class ChildCountOut(BaseModel):
    code: str
    name_en: str
    name_zh: str
    counts: dict[str, int]  # status -> institutions


class CompletenessOut(BaseModel):
    form: str
    period: str
    jurisdiction: str
    name_en: str
    name_zh: str
    due: date | None  # null when the official calendar does not reach it yet
    today: date
    institutions: list[InstitutionOut]
    children: list[ChildCountOut]
    totals: dict[str, int]


def due_date(session: Session, form: FilingForm, period: str) -> date | None:
    """When a filing of `period` is due: the form's `deadline_days` official working days
    after the period's last day, the same count its filings' own deadline makes (a form
    whose clock starts at the period's end); None for a form without that deadline."""
    if form.deadline_days is None or form.clock_starts != ClockStart.PERIOD_END.value:
        return None
    try:
        return official_calendar(session).add_working_days(period_end(period), form.deadline_days)
    except CalendarOutOfRange:
        return None


def _filings(
    session: Session, caller: Caller, scope: Scope, form: str, period: str
) -> list[Filing]:
    query = (
        select(Filing)
        .where(
            readable(caller),
            Filing.form_code == form,
            Filing.submitted_at.is_not(None),
            Filing.period <= period,
            Filing.jurisdiction_path.startswith(scope.node.path),
        )
        .order_by(Filing.id)
    )
    return list(session.scalars(query))


def _status(filing: Filing | None, due: date | None, today: date) -> Status:
    if filing is None:
        return Status.OVERDUE if due is not None and today > due else Status.NOT_FILED
    assert filing.submitted_at is not None  # only submitted filings are read
    if due is not None and business_date(filing.submitted_at) > due:
        return Status.LATE
    return Status.ACCEPTED if FilingState(filing.state) in ACCEPTED else Status.SUBMITTED


def _current(found: list[Filing]) -> Filing | None:
    """The newest filing of the period that was not withdrawn (a withdrawn one files
    nothing), else None."""
    live = [f for f in found if f.state != FilingState.WITHDRAWN.value]
    return live[-1] if live else None


def completeness(
    session: Session, caller: Caller, form: str, period: str, jurisdiction: str | None = None
) -> CompletenessOut:
    """Every expected institution of the subtree asked, with its status for `period`."""
    scope = scope_of(session, caller, jurisdiction)
    found = form_of(session, form)
    period_end(period)  # 422 before any work
    due = due_date(session, found, period)
    today = business_date()
    by_org: dict[int, list[Filing]] = defaultdict(list)
    seat: dict[int, str] = {}
    for filing in _filings(session, caller, scope, form, period):
        seat[filing.filer_org_id] = filing.jurisdiction_path  # the newest filing's
        if filing.period == period:
            by_org[filing.filer_org_id].append(filing)
    orgs = orgs_by_id(session, seat)
    rows = []
    for org_id in sorted(seat, key=lambda i: (orgs[i].name, i)):
        current = _current(by_org.get(org_id, []))
        rows.append(
            _row(
                orgs[org_id].name,
                orgs[org_id].name_zh,
                org_id,
                current,
                due,
                today,
                scope.child_of(seat[org_id]),
            )
        )
    return CompletenessOut(
        form=form,
        period=period,
        jurisdiction=scope.node.code,
        name_en=scope.node.name_en,
        name_zh=scope.node.name_zh,
        due=due,
        today=today,
        institutions=rows,
        children=_children(scope, rows),
        totals=dict(Counter(r.status.value for r in rows)),
    )


def _row(
    name: str,
    name_zh: str | None,
    org_id: int,
    current: Filing | None,
    due: date | None,
    today: date,
    child: Node,
) -> InstitutionOut:
    submitted = current.submitted_at if current is not None else None
    return InstitutionOut(
        org_id=org_id,
        name=name,
        name_zh=name_zh,
        child=child.code,
        status=_status(current, due, today),
        filing_id=current.id if current else None,
        reference=current.reference if current else None,
        state=current.state if current else None,
        submitted_on=business_date(submitted) if submitted else None,
    )


def _children(scope: Scope, rows: list[InstitutionOut]) -> list[ChildCountOut]:
    """Counts by status per child division that has an expected institution."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        counts[row.child][row.status.value] += 1
    nodes = {n.code: n for n in [scope.node, *scope.children.values()]}
    return [
        ChildCountOut(
            code=c, name_en=nodes[c].name_en, name_zh=nodes[c].name_zh, counts=dict(counts[c])
        )
        for c in sorted(counts)
    ]
