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
from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Actor
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


# The actor of the steps taken as an alert is raised: no organization, so that the party
# whose transaction raised it (a bank, say) is not named by the case's events.
AUTO = Actor(None, None, "alert-cases")


def _step(
    uow: UnitOfWork,
    caller: Caller | None,
    case: AlertCase,
    event: EventType,
    detail: dict[str, Any],
) -> Receipt:
    """One ledger event for the step and its row in the case's history; `caller` None for
    a step taken as an alert is raised (its event names the regulators over the case)."""
    action = event.value.rsplit(":", 1)[1]
    content = {"case": case.id, "state": case.state, **detail}
    parties = {caller.org_id} if caller else regulators_over(uow.session, case.jurisdiction_path)
    with uow.acting_as(None if caller else AUTO):
        receipt = uow.record(event, subjects={"case": case.id}, content=content, parties=parties)
    now = utcnow()
    case.updated_at = now
    uow.session.add(
        CaseStep(
            case_id=case.id,
            action=action,
            detail=json.dumps(detail, sort_keys=True, default=str),
            principal_id=caller.principal_id if caller else None,
            principal_name=caller.principal_name if caller else None,
            event_id=receipt.event_id,
            created_at=now,
        )
    )
    uow.session.flush()
    return receipt


def regulators_over(session: Session, path: str | None) -> set[int]:
    """The regulators seated deepest over `path` (those above them read what names them)."""
    seats = session.execute(
        select(Organization.id, Organization.jurisdiction_path).where(
            Organization.kind == OrgKind.REGULATOR.value
        )
    ).all()
    over = [(i, p) for i, p in seats if p and _covers(p, path)]
    deepest = max((len(p) for _, p in over), default=0)
    return {i for i, p in over if len(p) == deepest}


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
    lock_firm(uow.session, alert.subject_org_id)
    case = open_case_of(
        uow.session, alert.subject_org_id, lambda c: supervises(caller, c.jurisdiction_path)
    )
    return file_in(uow, caller, alert, case, due_date or today + timedelta(days=DUE_DAYS))


def file_in(
    uow: UnitOfWork, caller: Caller | None, alert: Alert, case: AlertCase | None, due: date
) -> tuple[AlertCase, bool, Receipt]:
    """Put the alert in `case` (joined), or in a new case due on `due` when it is None;
    one step. The firm must be locked (`lock_firm`) when `case` is None."""
    joined = case is not None
    if case is None:
        now = utcnow()
        # Routed as the county's business is (a dispatched office, else the prefecture's,
        # the province's, the head office); some regulator is over the alert, so one exists.
        office = handling_office(uow.session, alert.jurisdiction_path)
        fallback = caller.org_id if caller else None
        case = AlertCase(
            subject_org_id=alert.subject_org_id,
            jurisdiction_path=alert.jurisdiction_path,
            handling_org_id=office.id if office else fallback,
            state=CaseState.OPEN.value,
            due_date=due,
            opened_by_principal_id=caller.principal_id if caller else None,
            opened_at=now,
            updated_at=now,
        )
        uow.session.add(case)
        uow.session.flush()
    alert.case_id = case.id
    alert.status = "in-case"
    event = EventType.CASE_JOINED if joined else EventType.CASE_OPENED
    detail: dict[str, Any] = {"alert": alert.id, "kind": alert.kind}
    detail["subject"] = alert.subject_org_id
    if caller is None:
        detail["auto"] = True
    if not joined:
        detail["due_date"] = case.due_date.isoformat()
        detail["handling_org_id"] = case.handling_org_id
    return case, joined, _step(uow, caller, case, event, detail)


def lock_firm(session: Session, subject: int | None) -> None:
    """Lock the enterprise's organization row, so that two alerts of one firm filed at once
    make one case, not two (SQLite's writer lock already serialises). FOR NO KEY UPDATE:
    rows that merely reference the firm (a financing, an alert) are still inserted meanwhile."""
    if subject is not None:
        query = select(Organization.id).where(Organization.id == subject)
        session.scalars(query.with_for_update(key_share=True)).all()


def open_case_of(
    session: Session, subject: int | None, visible: Callable[[AlertCase], bool]
) -> AlertCase | None:
    """The enterprise's oldest open case that `visible` accepts, locked (re-read: a case
    closed meanwhile is not joined)."""
    if subject is None:
        return None
    query = (
        select(AlertCase)
        .where(AlertCase.subject_org_id == subject, AlertCase.state != CaseState.CLOSED.value)
        .order_by(AlertCase.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return next((c for c in session.scalars(query) if visible(c)), None)


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
