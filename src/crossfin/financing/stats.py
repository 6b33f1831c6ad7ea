"""What a financing adds to the statistics, given its current state, and the recount's source.

Every financing is dated by the month (China's calendar) it was registered, and sits in
its enterprise's county, scenario, currency, class at registration and bank:

- REGISTERED: every financing registered, whatever became of it (count, amount, USD);
- DISBURSED: once disbursed, the amount disbursed;
- OUTSTANDING: what is owed now (disbursed less repaid), while above zero and not closed;
- OVERDUE: while flagged overdue, what is owed.

A financing also serves its enterprise (`stats_served`), once, from its registration.
USD amounts use the rate recorded at registration (0 without one: docs/supervision.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.parties.stats.models import Measure
from crossfin.parties.stats.upkeep import Entry, cell, month_of, served, usd_of

KIND = "financing"
_COLUMNS = (
    Financing.id,
    Financing.jurisdiction_path,
    Financing.created_at,
    Financing.scenario,
    Financing.currency,
    Financing.trade_class,
    Financing.bank_org_id,
    Financing.enterprise_org_id,
    Financing.state,
    Financing.overdue,
    Financing.amount_minor,
    Financing.disbursed_minor,
    Financing.repaid_minor,
    Financing.usd_rate,
)
_CHUNK = 5000


def contribution(f: Any) -> list[Entry]:
    """The entries of one financing as it stands (an ORM row or a result row)."""
    month, ccy, rate = month_of(f.created_at), f.currency, f.usd_rate
    dims = {
        "scenario": f.scenario,
        "currency": ccy,
        "trade_class": f.trade_class,
        "bank_org_id": f.bank_org_id,
    }
    path = f.jurisdiction_path
    amount = f.amount_minor
    entries = [
        cell(
            Measure.REGISTERED,
            path,
            month,
            amount_minor=amount,
            usd_minor=usd_of(amount, ccy, rate),
            **dims,
        ),
        served(
            path,
            month,
            scenario=f.scenario,
            trade_class=f.trade_class,
            bank_org_id=f.bank_org_id,
            org_id=f.enterprise_org_id,
            usd_minor=usd_of(amount, ccy, rate),
        ),
    ]
    disbursed = f.disbursed_minor
    if disbursed > 0:
        usd = usd_of(disbursed, ccy, rate)
        entries.append(
            cell(Measure.DISBURSED, path, month, amount_minor=disbursed, usd_minor=usd, **dims)
        )
    owed = disbursed - f.repaid_minor
    if owed > 0 and f.state != State.CLOSED.value:
        usd = usd_of(owed, ccy, rate)
        entries.append(
            cell(Measure.OUTSTANDING, path, month, amount_minor=owed, usd_minor=usd, **dims)
        )
        if f.overdue:
            entries.append(
                cell(Measure.OVERDUE, path, month, amount_minor=owed, usd_minor=usd, **dims)
            )
    return entries


def all_contributions(session: Session) -> Iterator[Entry]:
    """Every financing's entries: the recount's source (registered at assembly)."""
    rows = session.execute(
        select(*_COLUMNS).order_by(Financing.id).execution_options(yield_per=_CHUNK)
    )
    for row in rows:
        yield from contribution(row)
