"""Class gates: what each goods-trade class (A/B/C) gets in each scenario, held as data.

DOMAIN.md: "A gets facilitation, B gets stricter per-transaction checks, C needs prior
registration and gets no facilitation." The gate table maps (scenario, class) to a
`Treatment`; financing registration and payment submission both call `enforce`, the one
function, so the rule holds for every scenario alike (docs/payments.md, "Class gates").

The table is versioned: every change stores the whole new table as a `class_gate_versions`
row (version n+1) with one ledger event (`parties:class-gates:set`) in the same
transaction. With no row yet the built-in defaults (`DEFAULTS`, version 0) apply. It lives
here, below both domains, because both read it and neither may import the other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Base, UTCDateTime, add_new_version
from crossfin.core.errors import FieldError, Forbidden, ValidationFailed
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import ROOT_PATH, Caller
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.parties.models import Organization, OrgKind, Role, TradeClass


class Treatment(StrEnum):
    """What a class gets in a scenario."""

    # Facilitation: bulk work allowed, the claim names the value fields (verification's rule).
    FACILITATED = "facilitated"
    # Per-transaction checks: one at a time (no bulk auto-tag), full documents (every
    # required field of each document claimed), approval by the bank's approver.
    CHECKED = "checked"
    # No facilitation: 403 /class-not-eligible.
    REFUSED = "refused"


# Every scenario the table must cover: payments P1..P4 and the financing scenarios.
SCENARIOS = ("P1", "P2", "P3", "P4", "F1", "F3", "F4", "F5", "F6", "F7", "F8")
CLASSES = tuple(c.value for c in TradeClass)


def _defaults() -> dict[str, dict[str, str]]:
    table = {
        s: {"A": Treatment.FACILITATED, "B": Treatment.CHECKED, "C": Treatment.REFUSED}
        for s in SCENARIOS
    }
    # P1 (capital-account income) is for class A only (SAFE's facilitation rule).
    table["P1"]["B"] = Treatment.REFUSED
    return {s: {c: t.value for c, t in row.items()} for s, row in table.items()}


DEFAULTS = _defaults()


class ClassGateVersion(Base):
    """One version of the whole gate table (JSON: {scenario: {class: treatment}})."""

    __tablename__ = "class_gate_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    changed_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class GateTable:
    version: int
    rules: Mapping[str, Mapping[str, str]]

    def treatment(self, scenario: str, trade_class: str | None) -> Treatment:
        """The treatment of a class in a scenario; a scenario without a row is checked
        (A, B) or refused (C): never facilitated by omission."""
        klass = trade_class or TradeClass.A.value
        row = self.rules.get(scenario)
        if row is None or klass not in row:
            return Treatment.REFUSED if klass == TradeClass.C.value else Treatment.CHECKED
        return Treatment(row[klass])

    def rule(self, scenario: str, trade_class: str | None) -> str:
        """How a refusal names its rule, e.g. `class-gates v2: P3 x C = refused`."""
        klass = trade_class or TradeClass.A.value
        treatment = self.treatment(scenario, klass).value
        return f"class-gates v{self.version}: {scenario} x {klass} = {treatment}"


@dataclass(frozen=True)
class Gate:
    """The answer for one enterprise in one scenario."""

    scenario: str
    trade_class: str
    treatment: Treatment
    rule: str


class ClassNotEligible(Forbidden):
    """The enterprise's class gets no facilitation in this scenario."""

    slug = "class-not-eligible"
    title = "The enterprise's class is not eligible for this scenario"

    def __init__(
        self, gate: Gate, *, enterprise: Organization, bank_org_id: int | None = None
    ) -> None:
        super().__init__(
            f"class {gate.trade_class} enterprises get no {gate.scenario} ({gate.rule})",
            trade_class=gate.trade_class,
            scenario=gate.scenario,
            rule=gate.rule,
        )
        self.gate = gate
        self.enterprise_org_id = enterprise.id
        self.jurisdiction_path = enterprise.jurisdiction_path
        self.bank_org_id = bank_org_id


def current_table(session: Session) -> GateTable:
    """The newest version of the gate table (the defaults, version 0, before any change)."""
    row = session.scalars(
        select(ClassGateVersion).order_by(ClassGateVersion.version.desc()).limit(1)
    ).first()
    if row is None:
        return GateTable(0, DEFAULTS)
    return GateTable(row.version, json.loads(row.rules))


def enforce(
    table: GateTable,
    enterprise: Organization,
    scenario: str,
    *,
    trade_class: str,
    bank_org_id: int | None = None,
) -> Gate:
    """The enterprise's gate in `scenario`; ClassNotEligible (403) when it is refused.

    The one check financing registration and payment submission make. `trade_class` is
    the enterprise's class as of the transaction's date (`parties.classes.history`:
    `class_on`, or `ClassBook.on` for many at once), never the class cached on the
    organization, which a future-dated change leaves stale. A refusal's alert is raised
    after the request's rollback (`record_class_refusals`).
    """
    gate = Gate(
        scenario,
        trade_class,
        table.treatment(scenario, trade_class),
        table.rule(scenario, trade_class),
    )
    if gate.treatment is Treatment.REFUSED:
        raise ClassNotEligible(gate, enterprise=enterprise, bank_org_id=bank_org_id)
    return gate


def record_class_refusal(uow: UnitOfWork, refusal: ClassNotEligible) -> None:
    """The regulator's alert for a class-not-eligible attempt, in `uow`."""
    raise_alert(
        uow,
        AlertKind.CLASS_NOT_ELIGIBLE,
        subject_org_id=refusal.enterprise_org_id,
        jurisdiction_path=refusal.jurisdiction_path,
        details={
            "scenario": refusal.gate.scenario,
            "trade_class": refusal.gate.trade_class,
            "rule": refusal.gate.rule,
            "bank": refusal.bank_org_id,
        },
        actor_org_id=refusal.bank_org_id,
        records=[evidence("attempt", refusal.gate.scenario, f"{refusal.gate.scenario} attempt")],
    )


def record_class_refusals(
    tx: Transactions, refusals: Sequence[tuple[Actor, ClassNotEligible]]
) -> None:
    """Record class refusals in one transaction of `tx`, after the business one ended."""
    if not refusals:
        return

    def step(uow: UnitOfWork) -> None:
        for actor, refusal in refusals:
            with uow.acting_as(actor):
                record_class_refusal(uow, refusal)

    tx.write(step)


@dataclass(frozen=True)
class GateChange:
    scenario: str
    trade_class: str
    treatment: Treatment


def may_set_gates(caller: Caller) -> bool:
    """The regulator's head office (admin or approver) or the operator's admins."""
    if caller.org_kind is OrgKind.OPERATOR:
        return caller.role is Role.ADMIN
    return (
        caller.org_kind is OrgKind.REGULATOR
        and caller.jurisdiction_path == ROOT_PATH
        and caller.role in (Role.ADMIN, Role.APPROVER)
    )


def set_gates(
    uow: UnitOfWork, caller: Caller | None, changes: Iterable[GateChange], reason: str
) -> tuple[GateTable, Receipt]:
    """Store a new version of the gate table with `changes` applied, and its ledger event.

    `caller` None is the command line on the operator's own machine (`crossfin payments
    gates set`); otherwise the head office's regulator or the operator's admin.
    """
    if caller is not None and not may_set_gates(caller):
        raise Forbidden("only the regulator's head office or the operator sets the class gates")
    wanted = list(changes)
    errors = [
        FieldError(f"changes[{i}]", f"unknown scenario {c.scenario!r}")
        for i, c in enumerate(wanted)
        if c.scenario not in SCENARIOS
    ] + [
        FieldError(f"changes[{i}]", f"unknown class {c.trade_class!r}")
        for i, c in enumerate(wanted)
        if c.trade_class not in CLASSES
    ]
    if errors or not wanted:
        raise ValidationFailed(errors or [FieldError("changes", "no change given")])
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", "say why the gates change")])
    current = current_table(uow.session)
    rules = {s: dict(row) for s, row in current.rules.items()}
    for change in wanted:
        rules.setdefault(change.scenario, {})[change.trade_class] = change.treatment.value
    version = current.version + 1
    row = ClassGateVersion(
        version=version,
        rules=json.dumps(rules, sort_keys=True),
        reason=reason.strip()[:500],
        changed_by_org_id=caller.org_id if caller else None,
        changed_at=utcnow(),
    )
    add_new_version(uow.session, row, "the class gates")
    receipt = uow.record(
        EventType.CLASS_GATES_SET,
        subjects={"class_gates": version},
        content={
            "version": version,
            "previous": current.version,
            "changes": [
                {"scenario": c.scenario, "class": c.trade_class, "treatment": c.treatment.value}
                for c in wanted
            ],
            "rules": rules,
            "reason": reason.strip()[:500],
        },
    )
    return GateTable(version, rules), receipt
