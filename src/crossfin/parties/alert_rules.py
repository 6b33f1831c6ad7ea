"""Alert rules held as data: per kind and jurisdiction subtree, versioned (docs/supervision.md).

Every alert kind has a rule: enabled or not, and its parameters (thresholds, windows). A
rule is scoped to a subtree: the head office's (scope `000000`) applies everywhere unless a
province or prefecture sets its own for its subtree; for an alert filed at a jurisdiction
the most specific scope holding it wins (a prefecture's over its province's over the head
office's). Each change stores a new `alert_rule_versions` row (version n+1 of that kind and
scope) with one ledger event (`supervision:alert-rule:set`) in the same transaction; the
newest version of a scope applies. With no row the built-in defaults (version 0 at the
head office) apply: the thresholds the code held as constants before rules were data, so
nothing changes until a regulator says so. It lives in parties, beside `raise_alert`,
because every domain that raises alerts reads it (the class gates' pattern).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crossfin.core.clock import utcnow
from crossfin.core.db import Base, UTCDateTime, add_new_version
from crossfin.core.errors import FieldError, Forbidden, ValidationFailed, invalid
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import ROOT_PATH, Caller, require_kind
from crossfin.parties.alerts import AlertKind
from crossfin.parties.models import Jurisdiction, OrgKind, Role

ROOT_CODE = "000000"


@dataclass(frozen=True)
class Param:
    """One parameter of a rule: an integer, a decimal or a yes/no, with its bounds."""

    kind: type[int] | type[Decimal] | type[bool]
    low: int
    high: int
    meaning: str


OPENS_CASE = Param(bool, 0, 1, "an alert opens a case when the firm has none open")
# The parameters each rule takes besides `opens_case`, which every rule takes.
THRESHOLDS: dict[AlertKind, dict[str, Param]] = {
    AlertKind.MANY_BANKS: {
        "banks": Param(int, 2, 100, "distinct banks refused the same document"),
        "window_days": Param(int, 1, 366, "within this many days"),
    },
    AlertKind.ABOVE_EXPORTS: {
        "percent": Param(Decimal, 1, 10_000, "financing over this % of 12-month exports"),
    },
    AlertKind.MONTHLY_VOLUME: {
        "factor": Param(Decimal, 1, 1_000, "this month above factor x the median month"),
        "months": Param(int, 1, 36, "previous months compared"),
        "min_months": Param(int, 1, 36, "months with volume needed before it can fire"),
    },
}
PARAMS: dict[AlertKind, dict[str, Param]] = {
    kind: THRESHOLDS.get(kind, {}) | {"opens_case": OPENS_CASE} for kind in AlertKind
}

# Which alerts open a case by themselves (an alert of any kind joins the firm's open case).
# Off for the noisy kinds: verification mismatches (a bank's own typing trips them, and the
# limit already withholds the answers), overdue loans (credit events the lending bank works
# first, frequent in any loan book) and monthly volume (growth as much as risk: seasonal
# exporters). On for refusals and fraud-like findings: each is an attempt to use a document
# twice or beyond its value, a gate refused, or trade that does not add up.
QUIET_CASES = frozenset(
    {AlertKind.VERIFICATION_MISMATCHES, AlertKind.OVERDUE, AlertKind.MONTHLY_VOLUME}
)

# Version 0: today's behaviour (refusals.py held 3 banks in 30 days as constants). The two
# rules that did not exist before rules were data start disabled, so version 0 raises what
# the code raised; their parameters are the thresholds a regulator enabling them starts from.
_THRESHOLDS_V0: dict[AlertKind, dict[str, Any]] = {
    AlertKind.MANY_BANKS: {"banks": 3, "window_days": 30},
    AlertKind.ABOVE_EXPORTS: {"percent": "80"},
    AlertKind.MONTHLY_VOLUME: {"factor": "3", "months": 6, "min_months": 3},
}
DEFAULTS: dict[AlertKind, dict[str, Any]] = {
    kind: _THRESHOLDS_V0.get(kind, {}) | {"opens_case": kind not in QUIET_CASES}
    for kind in AlertKind
}


class AlertRuleVersion(Base):
    """One version of one kind's rule for one subtree."""

    __tablename__ = "alert_rule_versions"
    __table_args__ = (UniqueConstraint("kind", "scope", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    scope: Mapped[str] = mapped_column(String(6))  # the jurisdiction code of the subtree
    scope_path: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)
    params: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    changed_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Who changed it (the principal's name then; None for the command line).
    changed_by_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Rule:
    """The rule that applies: its kind, scope, version, state and parameters."""

    kind: AlertKind
    scope: str
    version: int
    enabled: bool
    params: Mapping[str, Any] = field(default_factory=dict)
    # Who set this version, when and why (None for the built-in version 0).
    reason: str | None = None
    changed_at: datetime | None = None
    changed_by_org_id: int | None = None
    changed_by_name: str | None = None

    @property
    def opens_case(self) -> bool:
        """Whether an alert of this rule opens a case when its firm has none open."""
        return bool(self.params.get("opens_case", False))

    def number(self, name: str) -> Decimal:
        return Decimal(str(self.params[name]))

    def integer(self, name: str) -> int:
        return int(self.params[name])

    def public(self) -> dict[str, Any]:
        """How an alert records the rule that fired."""
        return {
            "kind": self.kind.value,
            "scope": self.scope,
            "version": self.version,
            "params": dict(self.params),
        }


OFF_BY_DEFAULT = frozenset({AlertKind.ABOVE_EXPORTS, AlertKind.MONTHLY_VOLUME})


def _default(kind: AlertKind) -> Rule:
    return Rule(kind, ROOT_CODE, 0, kind not in OFF_BY_DEFAULT, DEFAULTS[kind])


def _of(row: AlertRuleVersion) -> Rule:
    """The stored version; a parameter added since it was stored takes its default."""
    kind = AlertKind(row.kind)
    return Rule(
        kind,
        row.scope,
        row.version,
        row.enabled,
        DEFAULTS[kind] | json.loads(row.params),
        row.reason,
        row.changed_at,
        row.changed_by_org_id,
        row.changed_by_name,
    )


def newest_rows(session: Session, kind: AlertKind | None = None) -> list[AlertRuleVersion]:
    """The newest version of every (kind, scope) set so far."""
    query = select(AlertRuleVersion)
    if kind is not None:
        query = query.where(AlertRuleVersion.kind == kind.value)
    newest: dict[tuple[str, str], AlertRuleVersion] = {}
    for row in session.scalars(query.order_by(AlertRuleVersion.version)):
        newest[(row.kind, row.scope)] = row
    return sorted(newest.values(), key=lambda r: (r.kind, r.scope_path))


def rule_for(session: Session, kind: AlertKind, jurisdiction_path: str | None) -> Rule:
    """The rule of `kind` for a record filed at `jurisdiction_path`: the newest version
    of the most specific scope whose subtree holds it (the head office's, or v0)."""
    return _applying(newest_rows(session, kind), kind, jurisdiction_path)


def _applying(rows: list[AlertRuleVersion], kind: AlertKind, path: str | None) -> Rule:
    best: AlertRuleVersion | None = None
    for row in rows:
        if row.kind != kind.value:
            continue
        within = path is not None and path.startswith(row.scope_path)
        holds = row.scope_path == ROOT_PATH or within
        if holds and (best is None or len(row.scope_path) > len(best.scope_path)):
            best = row
    return _default(kind) if best is None else _of(best)


def rules_at(session: Session, jurisdiction_path: str | None) -> list[Rule]:
    """The rule of every kind that applies at `jurisdiction_path` (one read)."""
    rows = newest_rows(session)
    return [_applying(rows, kind, jurisdiction_path) for kind in AlertKind]


def rules_in_force(session: Session) -> list[Rule]:
    """Every rule set so far (newest of each scope) plus the defaults of unset kinds."""
    rows = newest_rows(session)
    root = {r.kind for r in rows if r.scope == ROOT_CODE}
    return [_default(k) for k in AlertKind if k.value not in root] + [_of(r) for r in rows]


def read_rules(session: Session, caller: Caller) -> list[Rule]:
    """The rules in force, for regulators and the operator (403 for other kinds): the
    operator and the head office read every rule; another regulator, for each kind, the
    rule that applies at its own node and every version newest in its subtree below it."""
    require_kind(caller, OrgKind.REGULATOR, OrgKind.OPERATOR)
    own = caller.jurisdiction_path
    if caller.org_kind is OrgKind.OPERATOR or own == ROOT_PATH:
        return rules_in_force(session)
    if own is None:
        return []
    rows = newest_rows(session)
    below = [r for r in rows if r.scope_path.startswith(own) and r.scope_path != own]
    return [_applying(rows, kind, own) for kind in AlertKind] + [_of(r) for r in below]


def may_set_rule(caller: Caller | None, scope_path: str) -> bool:
    """The operator's admins and the head office set any scope; a regulator's admin or
    approver sets rules for its own subtree (the scope lies within it)."""
    if caller is None:
        return True  # the command line on the operator's own machine
    if caller.org_kind is OrgKind.OPERATOR:
        return caller.role is Role.ADMIN
    if caller.org_kind is not OrgKind.REGULATOR or caller.role not in (Role.ADMIN, Role.APPROVER):
        return False
    own = caller.jurisdiction_path or "-"
    return own == ROOT_PATH or scope_path.startswith(own)


def _checked_params(
    kind: AlertKind, given: Mapping[str, Any], base: Mapping[str, Any]
) -> dict[str, Any]:
    """`base` with `given` applied, every value within its bounds (422 naming it)."""
    specs = PARAMS.get(kind, {})
    errors, out = [], dict(base)
    for name, value in given.items():
        spec = specs.get(name)
        if spec is None:
            errors.append(FieldError(f"params.{name}", f"{kind.value} takes no {name}"))
            continue
        if spec.kind is bool or isinstance(value, bool):
            if spec.kind is bool and isinstance(value, bool):
                out[name] = value
            else:
                errors.append(FieldError(f"params.{name}", f"must be {_a(spec)}"))
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        whole = number.is_finite() and number == number.to_integral_value()
        if not number.is_finite() or (spec.kind is int and not whole):
            errors.append(FieldError(f"params.{name}", f"must be {_a(spec)}"))
            continue
        if not spec.low <= number <= spec.high:
            errors.append(FieldError(f"params.{name}", f"between {spec.low} and {spec.high}"))
            continue
        out[name] = int(number) if spec.kind is int else f"{number.normalize():f}"
    if errors:
        raise ValidationFailed(errors)
    return out


def _a(spec: Param) -> str:
    if spec.kind is bool:
        return "true or false"
    return "a whole number" if spec.kind is int else "a number"


def set_rule(
    uow: UnitOfWork,
    caller: Caller | None,
    kind: AlertKind,
    scope: str,
    *,
    enabled: bool,
    params: Mapping[str, Any],
    reason: str,
) -> tuple[Rule, Receipt]:
    """Store version n+1 of `kind`'s rule for the subtree `scope` and its ledger event.

    Parameters not given keep the scope's current value (or the applying rule's)."""
    node = uow.session.get(Jurisdiction, scope)
    if node is None:
        raise invalid("scope", f"unknown jurisdiction code {scope!r}")
    if not may_set_rule(caller, node.path):
        raise Forbidden("only regulators over the subtree (admins, approvers) set its rules")
    current = next((r for r in newest_rows(uow.session, kind) if r.scope == node.code), None)
    base = _of(current) if current else rule_for(uow.session, kind, node.path)
    # Every refused field at once: a form shows each beside its input.
    errors = [] if reason.strip() else [FieldError("reason", "say why the rule changes")]
    try:
        values = _checked_params(kind, params, base.params)
    except ValidationFailed as exc:
        errors = exc.errors + errors
    if errors:
        raise ValidationFailed(errors)
    version = current.version + 1 if current else 1
    row = AlertRuleVersion(
        kind=kind.value,
        scope=node.code,
        scope_path=node.path,
        version=version,
        enabled=enabled,
        params=json.dumps(values, sort_keys=True),
        reason=reason.strip()[:500],
        changed_by_org_id=caller.org_id if caller else None,
        changed_by_name=caller.principal_name if caller else None,
        changed_at=utcnow(),
    )
    add_new_version(uow.session, row, "the rule")
    rule = _of(row)
    receipt = uow.record(
        EventType.ALERT_RULE_SET,
        subjects={"alert_rule": f"{kind.value}@{node.code}:v{version}"},
        content={
            **rule.public(),
            "enabled": enabled,
            "previous": base.public() | {"enabled": base.enabled},
            "reason": row.reason,
        },
    )
    return rule, receipt
