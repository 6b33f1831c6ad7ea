"""Migration 0022 gives each existing case the office that handles its county and moves no
organization."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text

from crossfin.core.db import Database
from crossfin.migrations.upgrade import migrate

NOW = datetime(2026, 1, 2, tzinfo=UTC)
# code, parent, level, path
NODES = (
    ("000000", None, "root", "/000000/"),
    ("440000", "000000", "province", "/000000/440000/"),
    ("440300", "440000", "prefecture", "/000000/440000/440300/"),
    ("440305", "440300", "county", "/000000/440000/440300/440305/"),
    ("440100", "440000", "prefecture", "/000000/440000/440100/"),
    ("440106", "440100", "county", "/000000/440000/440100/440106/"),
)


def _to(db: Database, revision: str, down: bool = False) -> None:
    migrate(db, revision, down=down)


def _insert(conn, table: str, **values: object) -> int:  # type: ignore[no-untyped-def]
    names = ", ".join(values)
    marks = ", ".join(f":{n}" for n in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
    return int(conn.execute(text(f"SELECT max(id) FROM {table}")).scalar_one())


def _org(conn, kind: str, code: str) -> int:  # type: ignore[no-untyped-def]
    path = next(p for c, _, _, p in NODES if c == code)
    return _insert(
        conn,
        "organizations",
        kind=kind,
        name=f"{kind} {code}",
        jurisdiction_code=code,
        jurisdiction_path=path,
        created_at=NOW,
    )


def _case(conn, path: str | None) -> int:  # type: ignore[no-untyped-def]
    return _insert(
        conn,
        "alert_cases",
        jurisdiction_path=path,
        state="open",
        due_date=date(2026, 1, 16),
        opened_at=NOW,
        updated_at=NOW,
    )


def test_existing_cases_get_their_handling_office(tmp_path: Path) -> None:
    # A file of its own: the suite's database is migrated once for every test.
    db = Database(f"sqlite:///{tmp_path}/old.db")
    _to(db, "0021_financing_stats")
    with db.engine.begin() as conn:
        for code, parent, level, _path in NODES:
            conn.execute(
                text(
                    "INSERT INTO jurisdictions (code, parent_code, level, name_zh, name_en, path)"
                    " VALUES (:code, :parent, :level, :code, :code, :path)"
                ),
                {"code": code, "parent": parent, "level": level, "path": _path},
            )
        head = _org(conn, "regulator", "000000")
        shenzhen = _org(conn, "regulator", "440300")
        _org(conn, "regulator", "440305")  # an old regulator at a county: not an office
        _org(conn, "enterprise", "440305")
        cases = {
            "nanshan": _case(conn, "/000000/440000/440300/440305/"),
            "tianhe": _case(conn, "/000000/440000/440100/440106/"),
            "no seat": _case(conn, None),
        }
    _to(db, "0022_dispatched_offices")
    with db.engine.connect() as conn:
        handled = dict(conn.execute(text("SELECT id, handling_org_id FROM alert_cases")).all())
        parents = conn.execute(text("SELECT parent_org_id FROM organizations")).scalars().all()
    assert handled == {cases["nanshan"]: shenzhen, cases["tianhe"]: head, cases["no seat"]: head}
    assert set(parents) == {None}
    _to(db, "0021_financing_stats", down=True)
    _to(db, "0022_dispatched_offices")
    db.dispose()
