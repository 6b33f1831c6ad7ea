"""Reading cases and alerts as a regulator: lists with filters, one case with its history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.parties.access import ROOT_PATH, Caller, require_kind, supervised, supervises
from crossfin.parties.alerts import Alert
from crossfin.parties.models import Organization, OrgKind, Principal, PrincipalKind
from crossfin.supervision.casework.service import CaseState, visible_case
from crossfin.supervision.models import AlertCase, CaseStep


@dataclass(frozen=True)
class CaseView:
    case: AlertCase
    alerts: list[Alert]
    steps: list[CaseStep]


def list_cases(
    session: Session,
    caller: Caller,
    *,
    state: CaseState | None = None,
    assignee: int | None = None,
    overdue: bool | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[AlertCase]:
    """Cases of the regulator's subtree (head office: all), oldest first, filtered."""
    require_kind(caller, OrgKind.REGULATOR)
    query = select(AlertCase).where(AlertCase.id > after)
    query = query.where(supervised(caller, AlertCase.jurisdiction_path))
    if state is not None:
        query = query.where(AlertCase.state == state.value)
    if assignee is not None:
        query = query.where(AlertCase.assignee_principal_id == assignee)
    if overdue is not None:
        late = (AlertCase.state != CaseState.CLOSED.value) & (AlertCase.due_date < business_date())
        query = query.where(late if overdue else ~late)
    return list(session.scalars(query.order_by(AlertCase.id).limit(limit)))


def case_view(session: Session, caller: Caller, case_id: int) -> CaseView:
    """One case with its alerts and steps, oldest first (404 outside the subtree)."""
    case = visible_case(session, caller, case_id)
    alerts = session.scalars(select(Alert).where(Alert.case_id == case.id).order_by(Alert.id))
    steps = session.scalars(
        select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)
    )
    return CaseView(case, list(alerts), list(steps))


def analysts(session: Session, caller: Caller, case: AlertCase) -> list[Principal]:
    """Who the case may be assigned to: active users of regulators over it, the caller sees."""
    query = (
        select(Principal, Organization.jurisdiction_path)
        .join(Organization, Organization.id == Principal.org_id)
        .where(
            Organization.kind == OrgKind.REGULATOR.value,
            Principal.kind == PrincipalKind.USER.value,
            Principal.active.is_(True),
        )
        .order_by(Principal.name)
    )
    found = []
    for principal, path in session.execute(query):
        covers = path == ROOT_PATH or (
            path is not None and (case.jurisdiction_path or "").startswith(path)
        )
        if covers and supervises(caller, path):
            found.append(principal)
    return found


def principal_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Principal.id, Principal.name).where(Principal.id.in_(ids)))
    return {i: n for i, n in rows}
