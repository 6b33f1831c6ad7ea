"""Sweeps: lapse expired reservations and flag overdue loans, one transaction per financing.

Run by `crossfin financing expire` (cron-friendly) and by a background thread in every API
process (`background.py`, every `financing_sweep_seconds`); the demo runs the overdue sweep
inside its load (`Transactions.within`). Each financing is re-read under its row lock
before it changes, so concurrent sweepers (several workers) never act twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from sqlalchemy import select

from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Actor, Database
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.financing.transitions import expire, locked, mark_overdue
from crossfin.ledger.uow import Transactions, UnitOfWork

SWEEPER = Actor(None, None, "financing-sweeper")
_LIVE = (State.DISBURSED.value, State.PARTLY_REPAID.value)


@dataclass
class SweepResult:
    expired: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def sweep(db: Database, now: datetime | None = None, limit: int = 1000) -> SweepResult:
    """Expire lapsed reservations and flag overdue loans as of `now`."""
    moment = now or utcnow()
    tx = Transactions.own(db, SWEEPER)
    return SweepResult(
        expire_lapsed(tx, moment, limit), flag_overdue(tx, business_date(moment), limit)
    )


def expire_lapsed(tx: Transactions, moment: datetime, limit: int = 1000) -> list[int]:
    """Lapse the registered financings whose reservation ended before `moment`."""
    lapsed = tx.read(
        lambda uow: list(
            uow.session.scalars(
                select(Financing.id)
                .where(Financing.state == State.REGISTERED.value, Financing.reserved_until < moment)
                .order_by(Financing.id)
                .limit(limit)
            )
        )
    )
    return [fid for fid in lapsed if tx.write(partial(_expire_one, fid=fid, moment=moment))]


def _expire_one(uow: UnitOfWork, *, fid: int, moment: datetime) -> bool:
    financing = locked(uow.session, fid)
    if (
        financing is None
        or financing.state != State.REGISTERED.value
        or financing.reserved_until is None
        or financing.reserved_until >= moment
    ):
        return False
    expire(uow, financing)
    return True


def flag_overdue(tx: Transactions, today: date, limit: int = 1000) -> list[int]:
    """Flag the unpaid loans due before `today` (each raises its `overdue` alert)."""
    late = tx.read(
        lambda uow: list(
            uow.session.scalars(
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
    )
    return [fid for fid in late if tx.write(partial(_flag_one, fid=fid, today=today))]


def _flag_one(uow: UnitOfWork, *, fid: int, today: date) -> bool:
    financing = locked(uow.session, fid)
    if (
        financing is None
        or financing.state not in _LIVE
        or financing.overdue
        or financing.due_date is None
        or financing.due_date >= today
    ):
        return False
    mark_overdue(uow, financing, today)
    return True
