"""The demo's statistics: three banks' EFAL-M reports, one clean and accepted, one drafted
with errors, one submitted after its deadline and flagged late; loaded once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.demo.loader import load_demo
from crossfin.filings.models import Filing
from crossfin.filings.statistics.queries import statistics_of
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.credentials import caller_for
from crossfin.parties.models import Principal
from support.parties import TEST_ACTOR
from support.stats_filing import pin_days


def test_three_banks_report_a_month(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    pin_days(monkeypatch, date(2026, 12, 3))  # 3 working days after November's end
    added = []
    for _ in range(2):
        with UnitOfWork(db, TEST_ACTOR) as uow:
            added.append(load_demo(uow).statistics_filings_added)
            uow.commit()
    assert added == [3, 0]
    with db.session(readonly=True) as session:
        # Only the statistics: the demo files licence applications too.
        query = select(Filing).where(Filing.form_code == "EFAL-M").order_by(Filing.id)
        filings = list(session.scalars(query))
        seen = {}
        for filing in filings:
            filer = session.scalars(
                select(Principal).where(Principal.org_id == filing.filer_org_id).limit(1)
            ).one()
            stats = statistics_of(session, caller_for(session, filer), filing.id)
            seen[filer.username.split(".")[0]] = (filing.period, filing.state, stats)
    clean, broken, late = seen["bank1"], seen["bank3"], seen["bank4"]
    assert clean[:2] == ("2026-11", "accepted") and clean[2].errors == 0
    assert not clean[2].standing.late and clean[2].standing.due == date(2026, 12, 14)
    assert broken[:2] == ("2026-11", "drafted")
    assert {(i.table, i.column, i.rule) for i in broken[2].issues} == {
        ("A1", "CLS", "M-A1-SF"),
        ("S1", "CLS", "M-S1-TOT-A1"),
    }
    assert late[:2] == ("2026-10", "submitted") and late[2].standing.late
    assert late[2].standing.due == date(2026, 11, 13) and late[2].standing.locked
