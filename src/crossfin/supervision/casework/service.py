"""Cases: an analyst opens one from an alert (or joins the enterprise's open case), assigns
it, and works it through open -> investigating -> closed with an outcome, noting as it goes.

Every step is one ledger event in the request's transaction, naming the acting regulator
as its party, so that only regulators over the subtree read it (never the enterprise).
Only regulators whose subtree holds the case's jurisdiction see or touch a case; to any
other regulator it is a missing case (404, word for word), to other kinds 403.
docs/supervision.md, "Cases".
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import Conflict, IllegalTransition, NotFound, invalid
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import ROOT_PATH, Caller, require_kind, require_writer, supervises
from crossfin.parties.alerts import Alert
from crossfin.parties.models import Organization, OrgKind, Principal, PrincipalKind
from crossfin.parties.offices import handling_office
from crossfin.supervision.models import AlertCase, CaseStep

# A case is due this many calendar days after it opens unless the analyst says otherwise
# (the project has no working-day calendar; docs/supervision.md).
DUE_DAYS = 14
NOTE_MAX = 2000


class CaseState(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class Outcome(StrEnum):
    FALSE_POSITIVE = "false_positive"
    WARNING_ISSUED = "warning_issued"
    REFERRED = "referred"


# Where each state may go next; closing needs an outcome.
MOVES = {
    CaseState.OPEN: {CaseState.INVESTIGATING, CaseState.CLOSED},
    CaseState.INVESTIGATING: {CaseState.CLOSED},
    CaseState.CLOSED: set(),
}


def is_overdue(case: AlertCase, today: date | None = None) -> bool:
    """Not closed and past its due date (China's business date)."""
    return case.state != CaseState.CLOSED.value and case.due_date < (today or business_date())


def visible_alert(session: Session, caller: Caller, alert_id: int, *, lock: bool = False) -> Alert:
    """The alert if the regulator's subtree holds it; 404 otherwise, as for none."""
    require_kind(caller, OrgKind.REGULATOR)
    query = select(Alert).where(Alert.id == alert_id)
    if lock:
        query = query.with_for_update()
    alert = session.scalars(query).one_or_none()
    if alert is None or not supervises(caller, alert.jurisdiction_path):
        raise NotFound(f"no alert {alert_id}")
    return alert


def visible_case(
    session: Session, caller: Caller, case_id: int, *, lock: bool = False
) -> AlertCase:
    """The case if the regulator's subtree holds it; 404 otherwise, as for none."""
    require_kind(caller, OrgKind.REGULATOR)
    query = select(AlertCase).where(AlertCase.id == case_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    case = session.scalars(query).one_or_none()
    if case is None or not supervises(caller, case.jurisdiction_path):
        raise NotFound(f"no case {case_id}")
    return case


def _step(
    uow: UnitOfWork, caller: Caller, case: AlertCase, event: EventType, detail: dict[str, Any]
) -> Receipt:
    """One ledger event for the step and its row in the case's history."""
    action = event.value.rsplit(":", 1)[1]
    content = {"case": case.id, "state": case.state, **detail}
    receipt = uow.record(
        event, subjects={"case": case.id}, content=content, parties={caller.org_id}
    )
    now = utcnow()
    case.updated_at = now
    uow.session.add(
        CaseStep(
            case_id=case.id,
            action=action,
            detail=json.dumps(detail, sort_keys=True, default=str),
            principal_id=caller.principal_id,
            principal_name=caller.principal_name,
            event_id=receipt.event_id,
            created_at=now,
        )
    )
    uow.session.flush()
    return receipt


def open_case(
    uow: UnitOfWork, caller: Caller, alert_id: int, due_date: date | None = None
) -> tuple[AlertCase, bool, Receipt]:
    """Open a case from an alert, or join the open case of the same enterprise (one case
    per enterprise at a time, whatever the kinds: the analyst looks at the firm); joined
    is True then. 409 if the alert already is in a case."""
    require_writer(caller)
    alert = visible_alert(uow.session, caller, alert_id, lock=True)
    if alert.case_id is not None:
        raise Conflict(f"alert {alert_id} is already in case {alert.case_id}", case=alert.case_id)
    today = business_date()
    if due_date is not None and due_date < today:
        raise invalid("due_date", "must not be in the past")
    case = _open_case_of(uow.session, caller, alert.subject_org_id)
    joined = case is not None
    if case is None:
        now = utcnow()
        # Routed as the county's business is (a dispatched office, else the prefecture's,
        # the province's, the head office); the caller is over the alert, so one exists.
        office = handling_office(uow.session, alert.jurisdiction_path)
        case = AlertCase(
            subject_org_id=alert.subject_org_id,
            jurisdiction_path=alert.jurisdiction_path,
            handling_org_id=office.id if office else caller.org_id,
            state=CaseState.OPEN.value,
            due_date=due_date or today + timedelta(days=DUE_DAYS),
            opened_by_principal_id=caller.principal_id,
            opened_at=now,
            updated_at=now,
        )
        uow.session.add(case)
        uow.session.flush()
    alert.case_id = case.id
    alert.status = "in-case"
    event = EventType.CASE_JOINED if joined else EventType.CASE_OPENED
    detail = {"alert": alert.id, "kind": alert.kind, "subject": alert.subject_org_id}
    if not joined:
        detail["due_date"] = case.due_date.isoformat()
        detail["handling_org_id"] = case.handling_org_id
    return case, joined, _step(uow, caller, case, event, detail)


def _open_case_of(session: Session, caller: Caller, subject: int | None) -> AlertCase | None:
    """The enterprise's open case, under its organization row's lock (so that two alerts
    of one firm opened at once make one case, not two; SQLite's writer lock already does)."""
    if subject is None:
        return None
    session.scalars(
        select(Organization.id).where(Organization.id == subject).with_for_update()
    ).all()
    query = (
        select(AlertCase)
        .where(AlertCase.subject_org_id == subject, AlertCase.state != CaseState.CLOSED.value)
        .order_by(AlertCase.id)
        .with_for_update()
    )
    return next(
        (c for c in session.scalars(query) if supervises(caller, c.jurisdiction_path)), None
    )


def assign(
    uow: UnitOfWork, caller: Caller, case_id: int, principal_id: int
) -> tuple[AlertCase, Receipt]:
    """Assign the case to an analyst: a user of a regulator whose subtree holds the case."""
    require_writer(caller)
    case = visible_case(uow.session, caller, case_id, lock=True)
    if case.state == CaseState.CLOSED.value:
        raise IllegalTransition(f"case {case_id} is closed", state=case.state)
    analyst = uow.session.get(Principal, principal_id)
    org = uow.session.get(Organization, analyst.org_id) if analyst else None
    if (
        analyst is None
        or org is None
        or not analyst.active
        or analyst.kind != PrincipalKind.USER.value
        or org.kind != OrgKind.REGULATOR.value
        or not _covers(org.jurisdiction_path, case.jurisdiction_path)
        or not supervises(caller, org.jurisdiction_path)
    ):
        raise invalid("principal_id", "must be an active user of a regulator over the case")
    if case.assignee_principal_id == principal_id:
        raise Conflict(f"case {case_id} is already assigned to {analyst.name}")
    before = case.assignee_principal_id
    case.assignee_principal_id = principal_id
    detail = {"assignee": principal_id, "name": analyst.name, "previous": before}
    return case, _step(uow, caller, case, EventType.CASE_ASSIGNED, detail)


def _covers(regulator_path: str | None, case_path: str | None) -> bool:
    if regulator_path == ROOT_PATH:
        return True
    return (
        regulator_path is not None
        and case_path is not None
        and case_path.startswith(regulator_path)
    )


def move(
    uow: UnitOfWork, caller: Caller, case_id: int, to: CaseState, outcome: Outcome | None = None
) -> tuple[AlertCase, Receipt]:
    """Move the case along (MOVES): 409 /illegal-transition otherwise; closing needs an
    outcome, and only closing takes one (422 naming `outcome`)."""
    require_writer(caller)
    case = visible_case(uow.session, caller, case_id, lock=True)
    before = CaseState(case.state)
    if to not in MOVES[before]:
        raise IllegalTransition(f"a case {before.value} cannot become {to.value}", state=before)
    if to is CaseState.CLOSED and outcome is None:
        raise invalid("outcome", "closing a case needs an outcome")
    if to is not CaseState.CLOSED and outcome is not None:
        raise invalid("outcome", "only closing a case takes an outcome")
    case.state = to.value
    if to is CaseState.CLOSED:
        case.outcome = outcome.value if outcome else None
        case.closed_at = utcnow()
    detail = {"from": before.value, "to": to.value, "outcome": case.outcome}
    return case, _step(uow, caller, case, EventType.CASE_MOVED, detail)


def add_note(uow: UnitOfWork, caller: Caller, case_id: int, text: str) -> tuple[CaseStep, Receipt]:
    """A note on the case (any state: a closed case may still be annotated)."""
    require_writer(caller)
    body = text.strip()
    if not body:
        raise invalid("text", "must not be empty")
    if len(body) > NOTE_MAX:
        raise invalid("text", f"at most {NOTE_MAX} characters")
    case = visible_case(uow.session, caller, case_id, lock=True)
    receipt = _step(uow, caller, case, EventType.CASE_NOTED, {"text": body})
    step = uow.session.scalars(select(CaseStep).where(CaseStep.event_id == receipt.event_id)).one()
    return step, receipt


def parse_move(to: str, outcome: str | None) -> tuple[CaseState, Outcome | None]:
    """The target state and outcome as typed values (422 naming the field otherwise)."""
    try:
        state = CaseState(to)
    except ValueError:
        raise invalid("to", "investigating or closed") from None
    if not outcome:
        return state, None
    try:
        return state, Outcome(outcome)
    except ValueError:
        raise invalid("outcome", ", ".join(o.value for o in Outcome)) from None
