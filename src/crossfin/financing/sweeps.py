"""Sweeps: lapse expired reservations and flag overdue loans, one transaction per financing.

Run by `crossfin financing expire` (cron-friendly) and by a background thread in every API
process (`background.py`, every `financing_sweep_seconds`). Each financing is re-read under
its row lock before it changes, so concurrent sweepers (several workers) never act twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Actor, Database
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.financing.transitions import expire, locked, mark_overdue
from crossfin.ledger.uow import UnitOfWork

SWEEPER = Actor(None, None, "financing-sweeper")
_LIVE = (State.DISBURSED.value, State.PARTLY_REPAID.value)


@dataclass
class SweepResult:
    expired: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def sweep(db: Database, now: datetime | None = None, limit: int = 1000) -> SweepResult:
    """Expire lapsed reservations and flag overdue loans as of `now`."""
    moment = now or utcnow()
    today = business_date(moment)
    result = SweepResult()
    with db.session(readonly=True) as session:
        lapsed = list(
            session.scalars(
                select(Financing.id)
                .where(Financing.state == State.REGISTERED.value, Financing.reserved_until < moment)
                .order_by(Financing.id)
                .limit(limit)
            )
        )
        late = list(
            session.scalars(
                select(Financing.id)
                .where(
                    Financing.state.in_(_LIVE),
                    Financing.overdue.is_(False),
                    Financing.due_date < today,
                )
                .order_by(Financing.id)
                .limit(limit)
            )
        )
    for financing_id in lapsed:
        with UnitOfWork(db, SWEEPER) as uow:
            financing = locked(uow.session, financing_id)
            if (
                financing is None
                or financing.state != State.REGISTERED.value
                or financing.reserved_until is None
                or financing.reserved_until >= moment
            ):
                continue
            expire(uow, financing)
            uow.commit()
            result.expired.append(financing_id)
    for financing_id in late:
        with UnitOfWork(db, SWEEPER) as uow:
            financing = locked(uow.session, financing_id)
            if (
                financing is None
                or financing.state not in _LIVE
                or financing.overdue
                or financing.due_date is None
                or financing.due_date >= today
            ):
                continue
            mark_overdue(uow, financing, today)
            uow.commit()
            result.overdue.append(financing_id)
    return result
