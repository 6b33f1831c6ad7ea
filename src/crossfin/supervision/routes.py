"""HTTP routes of supervision: alerts of a regulator's subtree, their rules, and cases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from crossfin.core.errors import invalid
from crossfin.core.http.params import After, PathId
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import Rule, read_rules, set_rule
from crossfin.parties.alerts import AlertKind
from crossfin.parties.http import (
    CallerDep,
    ReadUow,
    ReplicaCallerDep,
    ReplicaUow,
    WriterDep,
    WriteResult,
)
from crossfin.supervision.alerts import list_alerts
from crossfin.supervision.casework import service as cases
from crossfin.supervision.casework.queries import case_view, list_cases
from crossfin.supervision.casework.service import CaseState, is_overdue
from crossfin.supervision.models import AlertCase
from crossfin.supervision.schemas import (
    AlertOut,
    AlertPage,
    AssignIn,
    CaseDetailOut,
    CaseOut,
    CasePage,
    MoveIn,
    NoteIn,
    OpenCaseIn,
    RuleIn,
    RuleOut,
    StepOut,
)

router = APIRouter(prefix="/v1", tags=["supervision"])
Limit = Annotated[int, Query(ge=1, le=500)]
REGULATORS_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only regulators read alerts and cases"}
}


@router.get(
    "/alerts",
    response_model=AlertPage,
    summary="Alerts in the regulator's jurisdiction subtree (head office: all), oldest first",
    responses=REGULATORS_ONLY,
)
def alerts(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    kind: AlertKind | None = None,
    after: After = 0,
    limit: Limit = 100,
) -> AlertPage:
    rows = list_alerts(uow.session, caller, after=after, limit=limit, kind=kind)
    items = [AlertOut.model_validate(r) for r in rows]
    return AlertPage(items=items, next_after=items[-1].id if len(items) == limit else None)


@router.get(
    "/alerts/{alert_id}",
    response_model=AlertOut,
    summary="One alert with the records that raised it and the rule that fired",
    responses=REGULATORS_ONLY,
)
def alert(alert_id: PathId, caller: CallerDep, uow: ReadUow) -> AlertOut:
    return AlertOut.model_validate(cases.visible_alert(uow.session, caller, alert_id))


@router.post(
    "/alerts/{alert_id}/case",
    summary="Open a case from the alert, or join the enterprise's open case",
    responses=REGULATORS_ONLY,
)
def open_case(alert_id: PathId, data: OpenCaseIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        case, _, receipt = cases.open_case(uow, write.caller, alert_id, data.due_date)
        return case_out(case), receipt

    return write(run, status=200)


def _rule_out(rule: Rule) -> RuleOut:
    return RuleOut(
        kind=rule.kind.value,
        scope=rule.scope,
        version=rule.version,
        enabled=rule.enabled,
        params=dict(rule.params),
        reason=rule.reason,
        changed_at=rule.changed_at,
        changed_by_org_id=rule.changed_by_org_id,
        changed_by=rule.changed_by_name,
    )


@router.get(
    "/alert-rules",
    response_model=list[RuleOut],
    summary="The alert rules in force: defaults (v0) and every subtree's newest version",
    responses={403: {"description": "Only regulators and the operator read the rules"}},
)
def alert_rules(caller: CallerDep, uow: ReadUow) -> list[RuleOut]:
    return [_rule_out(r) for r in read_rules(uow.session, caller)]


@router.post(
    "/alert-rules",
    summary="Change one alert rule for a subtree: a new version, one ledger event",
)
def change_alert_rule(data: RuleIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        try:
            kind = AlertKind(data.kind)
        except ValueError:
            raise invalid("kind", "not an alert kind") from None
        rule, receipt = set_rule(
            uow,
            write.caller,
            kind,
            data.scope,
            enabled=data.enabled,
            params=data.params,
            reason=data.reason,
        )
        return _rule_out(rule), receipt

    return write(run, status=200)


def case_out(case: AlertCase) -> CaseOut:
    out = CaseOut.model_validate(case)
    out.overdue = is_overdue(case)
    return out


@router.get(
    "/cases",
    response_model=CasePage,
    summary="Cases of the subtree, filtered",
    responses=REGULATORS_ONLY,
)
def list_all(
    caller: CallerDep,
    uow: ReadUow,
    state: CaseState | None = None,
    assignee: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    overdue: bool | None = None,
    after: After = 0,
    limit: Limit = 100,
) -> CasePage:
    rows = list_cases(
        uow.session,
        caller,
        state=state,
        assignee=assignee,
        overdue=overdue,
        after=after,
        limit=limit,
    )
    items = [case_out(c) for c in rows]
    return CasePage(items=items, next_after=items[-1].id if len(items) == limit else None)


@router.get(
    "/cases/{case_id}",
    response_model=CaseDetailOut,
    summary="One case: alerts, history",
    responses=REGULATORS_ONLY,
)
def get_case(case_id: PathId, caller: CallerDep, uow: ReadUow) -> CaseDetailOut:
    view = case_view(uow.session, caller, case_id)
    return CaseDetailOut(
        **case_out(view.case).model_dump(),
        alerts=[AlertOut.model_validate(a) for a in view.alerts],
        steps=[StepOut.model_validate(s) for s in view.steps],
    )


@router.post("/cases/{case_id}/assign", summary="Assign the case to an analyst")
def assign(case_id: PathId, data: AssignIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        case, receipt = cases.assign(uow, write.caller, case_id, data.principal_id)
        return case_out(case), receipt

    return write(run, status=200)


@router.post("/cases/{case_id}/transition", summary="investigating, or closed with an outcome")
def transition(case_id: PathId, data: MoveIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        to, outcome = cases.parse_move(data.to, data.outcome)
        case, receipt = cases.move(uow, write.caller, case_id, to, outcome)
        return case_out(case), receipt

    return write(run, status=200)


@router.post("/cases/{case_id}/notes", summary="Add a note to the case", status_code=201)
def add_note(case_id: PathId, data: NoteIn, write: WriterDep) -> Response:
    def run(uow: UnitOfWork) -> WriteResult:
        step, receipt = cases.add_note(uow, write.caller, case_id, data.text)
        return StepOut.model_validate(step), receipt

    return write(run, status=201)
