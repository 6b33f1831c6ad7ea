"""What a P4 offshore check adds to the statistics, and the recount's source.

A check is immutable once recorded: CHECK_PASSED or CHECK_FAILED, scenario P4, in the
month (China's calendar) it ran, its enterprise's county, its currency, the class the gate
used and its bank, with the contract amount. Checks carry no USD rate, so their USD is 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.parties.stats.models import Measure
from crossfin.parties.stats.upkeep import Entry, cell, month_of
from crossfin.payments.offshore.models import OffshoreCheck

SCENARIO = "P4"
_COLUMNS = (
    OffshoreCheck.id,
    OffshoreCheck.outcome,
    OffshoreCheck.jurisdiction_path,
    OffshoreCheck.created_at,
    OffshoreCheck.currency,
    OffshoreCheck.trade_class,
    OffshoreCheck.bank_org_id,
    OffshoreCheck.amount_minor,
)
_CHUNK = 5000


def contribution(check: Any) -> list[Entry]:
    """The one entry of a recorded check."""
    measure = Measure.CHECK_PASSED if check.outcome == "passed" else Measure.CHECK_FAILED
    return [
        cell(
            measure,
            check.jurisdiction_path,
            month_of(check.created_at),
            scenario=SCENARIO,
            currency=check.currency,
            trade_class=check.trade_class,
            bank_org_id=check.bank_org_id,
            amount_minor=check.amount_minor,
        )
    ]


def all_contributions(session: Session) -> Iterator[Entry]:
    """Every check's entry: the recount's source (registered at assembly)."""
    rows = session.execute(
        select(*_COLUMNS).order_by(OffshoreCheck.id).execution_options(yield_per=_CHUNK)
    )
    for row in rows:
        yield from contribution(row)
