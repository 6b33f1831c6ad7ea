"""Migration 0016 backfills one class row per enterprise from its class at the time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from crossfin.core.db import Database
from crossfin.migrations.upgrade import migrate


def _to(db: Database, revision: str, down: bool = False) -> None:
    migrate(db, revision, down=down)


def test_backfill_from_the_current_class(tmp_path: Path) -> None:
    # A file of its own: the suite's database is migrated once for every test.
    db = Database(f"sqlite:///{tmp_path}/old.db")
    _to(db, "0015_jurisdiction_history")
    now = datetime(2026, 1, 2, tzinfo=UTC)
    with db.engine.begin() as conn:
        for name, kind, klass in (
            ("Lotus", "enterprise", "B"),
            ("Pine", "enterprise", None),
            ("Bank", "bank", None),
        ):
            conn.execute(
                text(
                    "INSERT INTO organizations (kind, name, trade_class, created_at) "
                    "VALUES (:kind, :name, :klass, :now)"
                ),
                {"kind": kind, "name": name, "klass": klass, "now": now},
            )
    _to(db, "0016_enterprise_classes")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.name, c.trade_class, c.effective_from, c.source, c.event_id "
                "FROM enterprise_classes c JOIN organizations o ON o.id = c.org_id ORDER BY o.id"
            )
        ).all()
    assert [(r[0], r[1], str(r[2]), r[3], r[4]) for r in rows] == [
        ("Lotus", "B", str(date(2000, 1, 1)), "backfill", None),
        ("Pine", "A", str(date(2000, 1, 1)), "backfill", None),
    ]
    _to(db, "0015_jurisdiction_history", down=True)
    _to(db, "0016_enterprise_classes")
    db.dispose()
