"""Migration 0021 on a database with financings: backfilled as registration recorded them,
the log still audits clean (the new columns are outside the state projection), and the
figures still equal a recount."""

from __future__ import annotations

from sqlalchemy import inspect, select

from crossfin.assembly import state_views
from crossfin.core.db import Database
from crossfin.documents.access.models import Verification
from crossfin.financing.models import Financing
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.uow import UnitOfWork
from crossfin.migrations.upgrade import migrate, upgrade
from crossfin.parties.classes import service as classes
from crossfin.parties.models import OrgKind, Role
from support.financing import declaration, make_firms
from support.parties import make_party
from support.payments import caller_of
from support.stats import assert_stats_match_recount, rates, register

COLUMNS = ("trade_class", "usd_minor", "usd_rate", "usd_rate_source")


def _rows(db: Database) -> list[tuple[object, ...]]:
    with db.session(readonly=True) as session:
        query = select(Financing.id, *[getattr(Financing, c) for c in COLUMNS])
        return [tuple(r) for r in session.execute(query.order_by(Financing.id))]


def _financings_audit(db: Database) -> tuple[int, list[object]]:
    """How many financings the state audit read, and those that diverge from their events
    (the test's documents are inserted without events: only financings are judged here)."""
    report = audit_state_database(db, StateViews(state_views()))
    return report.tables["financings"], [d for d in report.divergent if d.table == "financings"]


def _migrate(db: Database, target: str) -> None:
    migrate(db, target, down=True)


def test_upgrading_an_existing_database_backfills_and_audits_clean(client, db) -> None:
    firms = make_firms(db)
    regulator = make_party(db, OrgKind.REGULATOR, Role.OPERATOR, jurisdiction="440000")
    officer = caller_of(db, regulator)
    with UnitOfWork(db, officer.actor) as uow:
        change = classes.ClassChange("B", "late export receipts")
        classes.classify(uow, officer, firms.enterprise.org_id, change)
        uow.commit()
    rates(db, ("USD/EUR", "0.8"))
    register(client, firms, [declaration(db, firms, "300.00", "EUR")], "100.00", currency="EUR")
    usd = declaration(db, firms, "300.00")
    register(client, firms, [usd], "100.00")
    claim = {"kind": usd.kind, "key": usd.key, "fields": {"total_value": "1.00"}}
    res = client.post(
        "/v1/documents/verify", json={"items": [claim]}, headers=firms.banks[0].headers
    )
    assert res.status_code == 200, res.text
    register(client, firms, [declaration(db, firms, "900.00", "CNY")], "700.00", currency="CNY")
    recorded = _rows(db)
    assert [r[1:3] for r in recorded] == [("B", 12500), ("B", 10000), ("B", None)]
    assert _financings_audit(db) == (3, [])
    try:
        _migrate(db, "0020_alert_rule_authors")  # the database as it was before
        with db.engine.connect() as conn:
            names = {c["name"] for c in inspect(conn).get_columns("financings")}
        assert not names & set(COLUMNS)
    finally:
        upgrade(db)
        db.engine.dispose()  # no connection keeps plans of the table before
    assert _rows(db) == recorded
    with db.session(readonly=True) as session:  # the verification's county, backfilled
        assert session.scalars(select(Verification.county_path)).all() == [usd.jurisdiction_path]
    assert _financings_audit(db) == (3, [])
    assert_stats_match_recount(db)
