"""Portal page of the alert rules: those in force in a regulator's subtree (who changed each,
when and why), and one form per rule to set a new version for its own subtree. The form
calls `set_rule`, as `POST /v1/alert-rules` does (docs/supervision.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from crossfin.core.errors import CrossfinError, Forbidden, NotFound, ValidationFailed
from crossfin.core.http.deps import database_of
from crossfin.core.web.csrf import CsrfDep
from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import error_title, redirect, render
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind
from crossfin.parties.alert_rules import (
    THRESHOLDS,
    Param,
    Rule,
    may_set_rule,
    read_rules,
    rules_at,
    set_rule,
)
from crossfin.parties.alerts import AlertKind
from crossfin.parties.models import Jurisdiction, OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow, run_write
from crossfin.parties.service import org_names

router = APIRouter()
NAV = [
    NavEntry(
        N_("Alert rules"),
        "/alert-rules",
        kinds(OrgKind.REGULATOR),
        order=42,
        description=N_(
            "The rules that raise alerts in your jurisdiction: thresholds, windows, "
            "whether an alert opens a case; set your own with a reason."
        ),
    )
]
ORDER = {kind: n for n, kind in enumerate(AlertKind)}


def own_code(caller: Caller) -> str:
    """The code of the regulator's own node: the last segment of its path."""
    return (caller.jurisdiction_path or "/-/").rstrip("/").rsplit("/", 1)[-1]


@dataclass
class RuleForm:
    """What one rule's form shows: the rule in force, or what was submitted."""

    enabled: bool
    opens_case: bool
    params: dict[str, str]
    reason: str = ""


def _blank(rule: Rule) -> RuleForm:
    """The form of a kind, filled with the rule in force at the regulator's node."""
    params = {name: str(rule.params.get(name, "")) for name in THRESHOLDS.get(rule.kind, {})}
    return RuleForm(rule.enabled, rule.opens_case, params)


def _page(
    request: Request,
    uow: UnitOfWork,
    caller: Caller,
    submitted: tuple[AlertKind, RuleForm, dict[str, str]] | None = None,
    problem: CrossfinError | None = None,
) -> Response:
    require_kind(caller, OrgKind.REGULATOR)
    session = uow.session
    rules = sorted(read_rules(session, caller), key=lambda r: (ORDER[r.kind], len(r.scope)))
    here = {r.kind: r for r in rules_at(session, caller.jurisdiction_path)}
    codes = {r.scope for r in rules}
    places = {
        j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))
    }
    forms = {kind: _blank(rule) for kind, rule in here.items()}
    errors: dict[AlertKind, dict[str, str]] = {}
    if submitted is not None:
        kind, values, fields = submitted
        forms[kind], errors[kind] = values, fields
    context = {
        "kinds": list(AlertKind),
        "rules": rules,
        "places": places,
        "deciders": org_names(session, {r.changed_by_org_id for r in rules if r.changed_by_org_id}),
        "forms": forms,
        "errors": errors,
        "thresholds": {k: THRESHOLDS.get(k, {}) for k in AlertKind},
        "step": _step,
        "scope": own_code(caller),
        "may_set": may_set_rule(caller, caller.jurisdiction_path or "-"),
        "problem": problem,
        "problem_title": error_title(request, problem.slug) if problem else None,
        "submitted": submitted[0].value if submitted else None,
    }
    status = problem.status if problem else 200
    return render(request, "supervision/rules.html", context, status_code=status)


def _step(spec: Param) -> str:
    return "1" if spec.kind is int else "any"


@router.get("/alert-rules", summary="The alert rules in force in the regulator's subtree")
def rules_page(request: Request, caller: PortalCallerDep, uow: PortalReadUow) -> Response:
    return _page(request, uow, caller)


@router.post("/alert-rules", summary="Set a new version of one rule for the own subtree")
async def change_rule(request: Request, caller: PortalCallerDep, _: CsrfDep) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_change, request, caller, fields)


def _change(request: Request, caller: Caller, form: dict[str, str]) -> Response:
    require_kind(caller, OrgKind.REGULATOR)
    try:
        kind = AlertKind(form.get("kind", ""))
    except ValueError:
        raise NotFound("no such alert rule") from None
    values = RuleForm(
        form.get("enabled") == "on",
        form.get("opens_case") == "on",
        {name: form.get(name, "").strip() for name in THRESHOLDS.get(kind, {})},
        form.get("reason", "")[:500],
    )
    # Every field is sent, prefilled: an emptied one is refused by name, not kept.
    params: dict[str, Any] = dict(values.params) | {"opens_case": values.opens_case}

    def run(uow: UnitOfWork) -> Any:
        return set_rule(
            uow,
            caller,
            kind,
            form.get("scope", "")[:6],
            enabled=values.enabled,
            params=params,
            reason=values.reason,
        )

    try:
        rule, _receipt = run_write(request, caller, run)
    except (Forbidden, NotFound):
        raise  # the error page: a scope above or beside the regulator's own
    except CrossfinError as exc:
        named = exc.errors if isinstance(exc, ValidationFailed) else []
        fields = {e.field: e.reason for e in named}
        with UnitOfWork(database_of(request), caller.actor, readonly=True) as uow:
            return _page(request, uow, caller, (kind, values, fields), exc)
    done = N_("Rule changed: a new version, with its event.")
    return redirect(request, f"/alert-rules#rule-{rule.kind.value}", flash=("success", done))
