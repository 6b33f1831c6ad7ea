"""The class of an enterprise as of a date, one at a time or for many at once, and what
the ledger commits to for each history row.

No row means class A: onboarding gives A unless told otherwise, and every enterprise has
had a row since migration 0016 (its backfill), so A is only the answer for a day before
anything was recorded about a firm that did not exist yet.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session

from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
)
from crossfin.parties.classes.models import EnterpriseClass
from crossfin.parties.models import Organization, TradeClass

DEFAULT = TradeClass.A.value
# Onboarding's class and the migration's backfill hold for every earlier day too: nothing
# was evaluated before them, and a later dated change must be able to follow them.
EPOCH = date(2000, 1, 1)
_CHUNK = 1000


def class_on(session: Session, org_id: int, day: date) -> str:
    """The enterprise's class on `day`: its newest history row effective by then, else A."""
    query = (
        select(EnterpriseClass.trade_class)
        .where(EnterpriseClass.org_id == org_id, EnterpriseClass.effective_from <= day)
        .order_by(EnterpriseClass.effective_from.desc(), EnterpriseClass.id.desc())
        .limit(1)
    )
    return session.scalar(query) or DEFAULT


def class_today(day: date) -> ScalarSelect[str]:
    """SQL: the class of the enclosing query's `Organization` on `day` (NULL: no row, A),
    for aggregates over many enterprises in one statement."""
    return (
        select(EnterpriseClass.trade_class)
        .where(EnterpriseClass.org_id == Organization.id, EnterpriseClass.effective_from <= day)
        .order_by(EnterpriseClass.effective_from.desc(), EnterpriseClass.id.desc())
        .limit(1)
        .correlate(Organization)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class ClassBook:
    """Every history row of some enterprises, for the bulk paths: one query per chunk of
    a thousand enterprises, then each lookup is a bisection in memory."""

    # org id -> (effective dates ascending, classes in the same order)
    rows: dict[int, tuple[list[date], list[str]]]

    @classmethod
    def load(cls, session: Session, org_ids: Iterable[int]) -> ClassBook:
        wanted = sorted(set(org_ids))
        rows: dict[int, tuple[list[date], list[str]]] = {}
        for i in range(0, len(wanted), _CHUNK):
            query = (
                select(
                    EnterpriseClass.org_id,
                    EnterpriseClass.effective_from,
                    EnterpriseClass.trade_class,
                )
                .where(EnterpriseClass.org_id.in_(wanted[i : i + _CHUNK]))
                .order_by(
                    EnterpriseClass.org_id, EnterpriseClass.effective_from, EnterpriseClass.id
                )
            )
            for org_id, day, klass in session.execute(query):
                days, classes = rows.setdefault(org_id, ([], []))
                days.append(day)
                classes.append(klass)
        return cls(rows)

    def on(self, org_id: int, day: date) -> str:
        """The class of `org_id` on `day` (A with no row by then)."""
        found = self.rows.get(org_id)
        if found is None:
            return DEFAULT
        days, classes = found
        at = bisect_right(days, day)  # the last row effective on or before `day`
        return classes[at - 1] if at else DEFAULT


def history_of(session: Session, org_id: int) -> list[EnterpriseClass]:
    """The enterprise's history, newest in force first."""
    query = (
        select(EnterpriseClass)
        .where(EnterpriseClass.org_id == org_id)
        .order_by(EnterpriseClass.effective_from.desc(), EnterpriseClass.id.desc())
    )
    return list(session.scalars(query))


def newest(session: Session, org_id: int) -> EnterpriseClass | None:
    """The row with the latest effective date (the last one a new change must follow)."""
    query = (
        select(EnterpriseClass)
        .where(EnterpriseClass.org_id == org_id)
        .order_by(EnterpriseClass.effective_from.desc(), EnterpriseClass.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


# -- what the ledger commits to (ledger/state.py): every column but the id and the event
# id (the event names itself), so a row altered after its event shows in the audit.
KIND = "enterprise_class"
_FIELDS = columns_of(EnterpriseClass, leave_out=("id", "event_id"))


def class_state(row: Any) -> dict[str, Any]:
    return {name: value_of(row, name) for name in _FIELDS}


def class_commitment(row: EnterpriseClass) -> dict[str, str]:
    return {entity_key(KIND, row.id): state_digest(class_state(row))}


def _rows(session: Session) -> Iterator[StateRow]:
    query = select(*EnterpriseClass.__table__.columns).order_by(EnterpriseClass.id)
    for row in session.execute(query.execution_options(yield_per=2000)):
        yield StateRow(row.id, class_state(row), row.recorded_at)


def _backfilled(state: Any) -> bool:
    # The migration's rows have no event: they restate the class each firm had then; an
    # onboarding row restates the class its organization's event (`parties:org:add`) names.
    return state.get("source") in ("backfill", "onboarding")


def state_views() -> list[StateView]:
    return [StateView(KIND, EnterpriseClass.__tablename__, _rows, _backfilled)]


def onboarding_row(org_id: int, trade_class: str, recorded_at: Any) -> EnterpriseClass:
    """The first row of a new enterprise: the class it is onboarded with, since `EPOCH`
    (not committed on its own: `parties:org:add` names the class)."""
    return EnterpriseClass(
        org_id=org_id,
        trade_class=trade_class,
        effective_from=EPOCH,
        period=None,
        period_start=None,
        period_end=None,
        reason="onboarding",
        source="onboarding",
        decided_by_org_id=None,
        decided_by_principal_id=None,
        recorded_at=recorded_at,
    )
