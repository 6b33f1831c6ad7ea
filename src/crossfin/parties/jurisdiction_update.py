"""Loading a newer GB/T 2260 edition: add, rename, retire, with history and ledger events.

`update_jurisdictions` is the one use case (`crossfin jurisdictions update FILE` calls it).
It plans every change against the table first and refuses the whole edition, changing
nothing, when a division it drops still seats an enterprise and names no successor in the
same parent division: such firms would fall out of their regulators' subtree. Paths never change,
so every record that copied a path keeps resolving; a retired division's successor is where
new firms go, and where the name of an old seat points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import Conflict
from crossfin.ledger.events import EventType
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.identifiers import division_parent
from crossfin.parties.jurisdiction_data import ROOT_CODE, Division
from crossfin.parties.jurisdictions import insert_divisions
from crossfin.parties.models import Jurisdiction, JurisdictionChange, Organization, OrgKind

Progress = Callable[[int], None]
_EVENTS = {
    "added": EventType.JURISDICTION_ADDED,
    "renamed": EventType.JURISDICTION_RENAMED,
    "retired": EventType.JURISDICTION_RETIRED,
    "restored": EventType.JURISDICTION_RESTORED,
}


class RetirementRefused(Conflict):
    """The edition drops divisions where enterprises sit and no successor takes them."""

    slug = "retirement-refused"
    title = "Divisions still seating enterprises cannot be retired"


@dataclass
class UpdateSummary:
    """The codes each kind of change touched; empty lists when the edition was loaded."""

    edition: str
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.renamed) + len(self.retired) + len(self.restored)


@dataclass
class _Plan:
    add: list[Division] = field(default_factory=list)
    rename: list[tuple[Jurisdiction, Division]] = field(default_factory=list)
    retire: list[tuple[Jurisdiction, str | None]] = field(default_factory=list)
    restore: list[tuple[Jurisdiction, Division]] = field(default_factory=list)


def _plan(session: Session, divisions: list[Division]) -> _Plan:
    """Compare the edition with the table, node by node (the root is never touched)."""
    current = {j.code: j for j in session.scalars(select(Jurisdiction))}
    listed = {d.code for d in divisions}
    plan = _Plan()
    for div in divisions:
        node = current.get(div.code)
        if node is None:
            plan.add.append(div)
        elif div.retired is None and node.retired is not None:
            plan.restore.append((node, div))
        elif div.retired is None and (node.name_zh, node.name_en) != (div.name_zh, div.name_en):
            plan.rename.append((node, div))
        elif div.retired is not None and node.retired is None:
            plan.retire.append((node, div.successor))
    for code, node in sorted(current.items()):
        if code != ROOT_CODE and code not in listed and node.retired is None:
            plan.retire.append((node, None))
    return plan


def _seated_enterprises(session: Session, codes: list[str]) -> dict[str, int]:
    query = (
        select(Organization.jurisdiction_code, func.count())
        .where(Organization.kind == OrgKind.ENTERPRISE.value)
        .where(Organization.jurisdiction_code.in_(codes))
        .group_by(Organization.jurisdiction_code)
    )
    return {str(code): int(n) for code, n in session.execute(query)}


def _check_retirements(session: Session, plan: _Plan) -> None:
    """Refuse retirements that would strand enterprises (no successor, or one elsewhere)."""
    stranded = [
        node.code
        for node, successor in plan.retire
        if successor is None or (division_parent(successor) or ROOT_CODE) != node.parent_code
    ]
    seated = _seated_enterprises(session, stranded) if stranded else {}
    if seated:
        listing = ", ".join(f"{code} ({n} enterprises)" for code, n in sorted(seated.items()))
        raise RetirementRefused(
            "the edition retires divisions where enterprises sit, without a successor under "
            f"the same parent: {listing}; give each a successor or move the firms first"
        )


def _history(
    uow: UnitOfWork, edition: str, kind: str, node: Jurisdiction, **extra: str | None
) -> None:
    """One change row and one ledger event per change."""
    change = JurisdictionChange(code=node.code, kind=kind, edition=edition, at=utcnow(), **extra)
    uow.session.add(change)
    content: dict[str, str | None] = {"code": node.code, "edition": edition, "kind": kind}
    content |= {"name_zh": node.name_zh, "name_en": node.name_en, "retired": node.retired}
    content |= extra
    uow.record(_EVENTS[kind], subjects={"jurisdiction": node.code}, content=content)


def _apply(uow: UnitOfWork, edition: str, plan: _Plan, progress: Progress) -> UpdateSummary:
    session, summary = uow.session, UpdateSummary(edition)
    insert_divisions(session, plan.add)
    for div in plan.add:
        _history(uow, edition, "added", session.get_one(Jurisdiction, div.code))
        summary.added.append(div.code)
        progress(1)
    for node, div in plan.rename:
        before = {"name_zh_before": node.name_zh, "name_en_before": node.name_en}
        node.name_zh, node.name_en = div.name_zh, div.name_en
        _history(uow, edition, "renamed", node, **before)
        summary.renamed.append(node.code)
        progress(1)
    for node, successor in plan.retire:
        node.retired, node.successor_code = edition, successor
        _history(uow, edition, "retired", node, successor_code=successor)
        summary.retired.append(node.code)
        progress(1)
    for node, div in plan.restore:
        node.retired, node.successor_code = None, None
        node.name_zh, node.name_en = div.name_zh, div.name_en
        _history(uow, edition, "restored", node)
        summary.restored.append(node.code)
        progress(1)
    session.flush()
    return summary


def update_jurisdictions(
    uow: UnitOfWork,
    divisions: list[Division],
    edition: str,
    on_plan: Callable[[int], None] = lambda total: None,
    progress: Progress = lambda done: None,
) -> UpdateSummary:
    """Bring the table to the edition `divisions` (parsed by `parse_divisions`).

    Precondition: `divisions` passed `parse_divisions`. Loading the same edition again
    changes nothing. Raises RetirementRefused, having changed nothing, as described above.
    `on_plan` hears the number of changes before they are made, `progress` each one made.
    """
    plan = _plan(uow.session, divisions)
    _check_retirements(uow.session, plan)
    on_plan(len(plan.add) + len(plan.rename) + len(plan.retire) + len(plan.restore))
    return _apply(uow, edition, plan, progress)
