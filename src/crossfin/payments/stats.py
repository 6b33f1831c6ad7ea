"""What a payment adds to the statistics, given its current state, and the recount's source.

A payment counts as FACILITATED while it is paid (not once returned), in the month of its
value date, in its payer's county, scenario, currency, class at submission and bank, with
its amount and the USD equivalent recorded at submission; it then also serves its payer
(`stats_served`). Submitted, approved and cancelled payments add nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.parties.stats.models import Measure
from crossfin.parties.stats.upkeep import Entry, cell, month_of, served
from crossfin.payments.lifecycle import State
from crossfin.payments.models import Payment

KIND = "payment"
_COLUMNS = (
    Payment.id,
    Payment.state,
    Payment.jurisdiction_path,
    Payment.value_date,
    Payment.scenario,
    Payment.currency,
    Payment.trade_class,
    Payment.bank_org_id,
    Payment.payer_org_id,
    Payment.amount_minor,
    Payment.usd_minor,
)
_CHUNK = 5000


def contribution(p: Any) -> list[Entry]:
    """The entries of one payment as it stands (an ORM row or a result row)."""
    if p.state != State.PAID.value:
        return []
    month = month_of(p.value_date)
    return [
        cell(
            Measure.FACILITATED,
            p.jurisdiction_path,
            month,
            scenario=p.scenario,
            currency=p.currency,
            trade_class=p.trade_class,
            bank_org_id=p.bank_org_id,
            amount_minor=p.amount_minor,
            usd_minor=p.usd_minor,
        ),
        served(
            p.jurisdiction_path,
            month,
            scenario=p.scenario,
            trade_class=p.trade_class,
            bank_org_id=p.bank_org_id,
            org_id=p.payer_org_id,
            usd_minor=p.usd_minor,
        ),
    ]


class Fields:
    """A payment's row as `persist` inserts it (a dict), read as attributes."""

    def __init__(self, row: dict[str, Any]) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return self._row[name]


def all_contributions(session: Session) -> Iterator[Entry]:
    """Every paid payment's entries: the recount's source (registered at assembly)."""
    rows = session.execute(
        select(*_COLUMNS)
        .where(Payment.state == State.PAID.value)
        .order_by(Payment.id)
        .execution_options(yield_per=_CHUNK)
    )
    for row in rows:
        yield from contribution(row)
