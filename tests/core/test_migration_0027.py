"""Migration 0027 (scenario caps, insurance claims, needs' expiry) goes down and up again
on a database with a need in it: the need gets `created_at + 90 days` on the way up."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from crossfin.migrations.upgrade import migrate, upgrade
from support.db import prepare
from support.financing import declaration, make_firms


def test_down_and_up_again_backfills_the_expiry(tmp_path):
    db = prepare(f"sqlite:///{tmp_path / 'mig.db'}")
    try:
        firms = make_firms(db, banks=1)
        doc = declaration(db, firms, "100.00")
        with db.session() as session:
            session.execute(
                text(
                    "INSERT INTO financing_needs (enterprise_org_id, jurisdiction_path,"
                    " amount_minor, currency, tenor_days, purpose, documents, status,"
                    " expires_on, created_at, updated_at) VALUES (:org, NULL, 100, 'USD', 30,"
                    " 'x', :docs, 'open', '2026-01-01', '2026-10-01 08:00:00.000000',"
                    " '2026-10-01 08:00:00.000000')"
                ),
                {"org": firms.enterprise.org_id, "docs": f'[{{"kind": "{doc.kind}"}}]'},
            )
            session.commit()
        migrate(db, "0026_calendar_years", down=True)
        with db.engine.connect() as conn:
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        assert "scenario_caps" not in tables and "insurance_claims" not in tables
        upgrade(db)
        with db.engine.connect() as conn:
            day = conn.execute(text("SELECT expires_on FROM financing_needs")).scalar_one()
        assert str(day) == str(date(2026, 10, 1) + timedelta(days=90))
    finally:
        db.dispose()
