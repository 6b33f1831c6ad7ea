"""What the home page shows: read-only queries within the caller's entitlement."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.ledger.models import LedgerEvent, LedgerEventParty
from crossfin.parties.access import Caller, supervises
from crossfin.parties.classes.history import class_on, class_today
from crossfin.parties.models import (
    BankJurisdiction,
    Jurisdiction,
    Organization,
    OrgKind,
    Principal,
    TradeClass,
)
from crossfin.parties.offices import counties_handled

RECENT_EVENTS = 8


@dataclass(frozen=True)
class Place:
    """A jurisdiction node with its ancestry, for breadcrumbs in either language."""

    code: str
    names: tuple[tuple[str, str], ...]  # (name_en, name_zh) from the top down, root excluded

    def label(self, lang: str) -> str:
        return " › ".join(zh if lang == "zh" else en for en, zh in self.names)

    def name(self, lang: str) -> str:
        """The node's own name, without its ancestors."""
        en, zh = self.names[-1]
        return zh if lang == "zh" else en


@dataclass(frozen=True)
class ClassRow:
    """Enterprises under one jurisdiction node, by goods-trade class."""

    place: Place
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RegulatorRow:
    """One regulator for the operator: where it sits, its parent office if it is a
    dispatched office, and how many county-level seats `handling_office` routes to it."""

    org: Organization
    seat: Place | None
    parent: Organization | None
    handles: int


@dataclass
class HomeData:
    org: Organization
    seat: Place | None
    users: int
    served: list[Place] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    class_totals: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    regulators: list[RegulatorRow] = field(default_factory=list)
    events: list[tuple[int, str, datetime]] = field(default_factory=list)
    event_count: int = 0
    trade_class: str | None = None  # an enterprise's class in force today (its history)


def place(session: Session, code: str) -> Place:
    """The node `code` with its ancestors' names (the head-office root left out)."""
    node = session.get_one(Jurisdiction, code)
    codes = [c for c in node.path.strip("/").split("/") if c != "000000"]
    rows = {
        j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))
    }
    if not codes:
        return Place(code, ((node.name_en, node.name_zh),))
    return Place(code, tuple((rows[c].name_en, rows[c].name_zh) for c in codes))


def _served(session: Session, org_id: int) -> list[Place]:
    query = select(BankJurisdiction.code).where(BankJurisdiction.org_id == org_id)
    return [place(session, code) for code in sorted(session.scalars(query))]


def _class_rows(session: Session, caller: Caller) -> tuple[list[ClassRow], dict[str, int]]:
    """Enterprises in the regulator's subtree, by class, rolled up to its child nodes."""
    base = caller.jurisdiction_path or "/000000/"
    # The class in force today, from each enterprise's history (parties/classes).
    klass = func.coalesce(class_today(business_date()), TradeClass.A.value)
    query = (
        select(Organization.jurisdiction_path, klass, func.count())
        .where(
            Organization.kind == OrgKind.ENTERPRISE.value,
            Organization.jurisdiction_path.startswith(base),
        )
        .group_by(Organization.jurisdiction_path, klass)
    )
    by_child: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    depth = base.count("/") - 1  # the child code sits right after the caller's own node
    for path, trade_class, count in session.execute(query):
        if path is None or not supervises(caller, path):
            continue
        parts = path.strip("/").split("/")
        child = parts[depth] if len(parts) > depth else parts[-1]
        by_child.setdefault(child, Counter())[trade_class or "A"] += count
        totals[trade_class or "A"] += count
    rows = [
        ClassRow(place(session, code), {c.value: counts[c.value] for c in TradeClass})
        for code, counts in sorted(by_child.items())
    ]
    return rows, {c.value: totals[c.value] for c in TradeClass}


def _kinds(session: Session) -> dict[str, int]:
    query = select(Organization.kind, func.count()).group_by(Organization.kind)
    found: dict[str, int] = {kind: count for kind, count in session.execute(query)}
    return {kind.value: found.get(kind.value, 0) for kind in OrgKind}


def _regulators(session: Session) -> list[RegulatorRow]:
    """Every regulator, in tree order, with what it handles (the operator's list)."""
    query = select(Organization).where(Organization.kind == OrgKind.REGULATOR.value)
    found = list(session.scalars(query.order_by(Organization.jurisdiction_path, Organization.id)))
    by_id = {o.id: o for o in found}
    handled = counties_handled(session)
    return [
        RegulatorRow(
            o,
            place(session, o.jurisdiction_code) if o.jurisdiction_code else None,
            by_id.get(o.parent_org_id) if o.parent_org_id else None,
            handled[o.id],
        )
        for o in found
    ]


def _events(session: Session, org_id: int) -> tuple[list[tuple[int, str, datetime]], int]:
    """The organization's latest ledger events (those it is entitled to read)."""
    mine = select(LedgerEventParty.leaf_index).where(LedgerEventParty.org_id == org_id)
    count = session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    query = (
        select(LedgerEvent.leaf_index, LedgerEvent.type, LedgerEvent.created_at)
        .where(LedgerEvent.leaf_index.in_(mine))
        .order_by(LedgerEvent.leaf_index.desc())
        .limit(RECENT_EVENTS)
    )
    return [(i, t, at) for i, t, at in session.execute(query)], count


def home_data(session: Session, caller: Caller) -> HomeData:
    """Everything the home page of `caller`'s organization shows."""
    org = session.get_one(Organization, caller.org_id)
    users = (
        session.scalar(
            select(func.count())
            .select_from(Principal)
            .where(Principal.org_id == org.id, Principal.active.is_(True))
        )
        or 0
    )
    data = HomeData(
        org=org,
        users=users,
        seat=place(session, org.jurisdiction_code) if org.jurisdiction_code else None,
    )
    if caller.org_kind is OrgKind.BANK:
        data.served = _served(session, org.id)
    elif caller.org_kind is OrgKind.REGULATOR:
        data.classes, data.class_totals = _class_rows(session, caller)
    elif caller.org_kind is OrgKind.OPERATOR:
        data.kinds = _kinds(session)
        data.regulators = _regulators(session)
    elif caller.org_kind is OrgKind.ENTERPRISE:
        data.trade_class = class_on(session, org.id, business_date())
    data.events, data.event_count = _events(session, org.id)
    return data
