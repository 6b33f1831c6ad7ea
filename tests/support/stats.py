"""The statistics in tests: the recount check after a storm, and the cells as dicts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.documents.fx import RateRow, load_rates
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.stats.models import StatCell, StatServed
from crossfin.supervision.stats.recount import check
from support.financing import application, today
from support.parties import TEST_ACTOR


def assert_stats_match_recount(db: Database) -> None:
    """The cells and served rows kept with each change equal a full recount."""
    outcome = check(db)
    assert not outcome.differences, "statistics differ from a recount:\n" + "\n".join(
        d.line() for d in outcome.differences
    )


def measures(db: Database, **where: object) -> dict[str, tuple[int, int, int]]:
    """(count, amount, usd) per measure, summed over the cells matching `where`."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    with db.session(readonly=True) as session:
        query = select(StatCell).filter_by(**where)
        for row in session.scalars(query):
            total = sums[row.measure]
            total[0] += row.count
            total[1] += row.amount_minor
            total[2] += row.usd_minor
    return {k: (c, a, u) for k, (c, a, u) in sums.items() if (c, a, u) != (0, 0, 0)}


def served(db: Database, **where: object) -> dict[int, tuple[int, int]]:
    """(count, usd) per enterprise served, over the rows matching `where` (count > 0)."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    with db.session(readonly=True) as session:
        for row in session.scalars(select(StatServed).filter_by(**where)):
            sums[row.org_id][0] += row.count
            sums[row.org_id][1] += row.usd_minor
    return {k: (c, u) for k, (c, u) in sums.items() if c > 0}


def register(client, firms, docs, amount, bank=0, expect=201, **extra) -> Any:  # type: ignore[no-untyped-def]
    """POST one financing application as bank `bank`'s maker; its answer, checked."""
    res = client.post(
        "/v1/financings",
        json=application(firms, docs, amount, **extra),
        headers=firms.banks[bank].headers,
    )
    assert res.status_code == expect, res.text
    return res.json()


def rates(db: Database, *pairs: tuple[str, str]) -> None:
    """Load today's daily rates, e.g. ("EUR/USD", "1.10")."""
    rows = [RateRow(today(), *pair.split("/"), rate) for pair, rate in pairs]
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_rates(uow, rows)
        uow.commit()
