"""Loaded notices on the database (SQLite, or PostgreSQL with CROSSFIN_TEST_DATABASE_URL):
`crossfin calendar load/show`, the override of the package, the ledger event and the state
audit, a deadline into a loaded year, and the cache shared by no two databases.

The 2030 and 2031 notices here are fictional, made up by the tests (their titles say so):
nothing here stands for a real State Council notice but tests/data/calendar/cn-2026.csv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner, Result

from crossfin.cli.main import app
from crossfin.core.canonical import content_digest
from crossfin.core.db import Actor, Database
from crossfin.core.workdays import PACKAGE, CalendarOutOfRange
from crossfin.filings.calendar import store
from crossfin.filings.calendar.cache import CACHE, official_calendar
from crossfin.filings.calendar.models import CalendarDay, CalendarYear
from crossfin.filings.calendar.notice import parse_notice
from crossfin.filings.deadlines import Clock, due, status
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.uow import UnitOfWork

D = date
runner = CliRunner()
NOTICE_2026 = Path(__file__).resolve().parents[1] / "data" / "calendar" / "cn-2026.csv"
SRC = Path(__file__).resolve().parents[2] / "src"
ACTOR = Actor(None, None, "test")


def fictional(year: int, days: list[tuple[str, str]]) -> str:
    """A notice file for a year no real notice covers, clearly labelled as made up."""
    lines = [
        "year,title,number,url,published",
        f"{year},TEST ONLY: fictional holiday notice for {year},TEST-{year},,{year - 1}-11-01",
        "date,kind,name",
        *[f"{day},{kind},Fictional holiday" for day, kind in days],
    ]
    return "\n".join(lines) + "\n"


# 2030: Tuesday 1 January off, Saturday 5 January worked. 2031: Wednesday 1 to Friday
# 3 January off, Saturday 4 January worked.
FICTIONAL_2030 = fictional(2030, [("2030-01-01", "holiday"), ("2030-01-05", "workday")])
FICTIONAL_2031 = fictional(
    2031,
    [
        ("2031-01-01", "holiday"),
        ("2031-01-02", "holiday"),
        ("2031-01-03", "holiday"),
        ("2031-01-04", "workday"),
    ],
)


@pytest.fixture
def cli_env(db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture(autouse=True)
def _fresh_cache(db: Database) -> Iterator[None]:
    # The test database is emptied between tests behind the cache's back.
    CACHE.invalidate(db.engine)
    yield
    CACHE.invalidate(db.engine)


def cli(*args: str) -> Result:
    return runner.invoke(app, ["calendar", *args])


def load_text(db: Database, text: str) -> store.Loaded:
    with UnitOfWork(db, ACTOR) as uow:
        loaded = store.load_notice(uow, parse_notice(text))
        uow.commit()
    return loaded


def counts(db: Database) -> tuple[int, int, int]:
    with db.session(readonly=True) as session:
        years = session.scalar(select(func.count()).select_from(CalendarYear))
        days = session.scalar(select(func.count()).select_from(CalendarDay))
        events = session.scalar(
            select(func.count()).where(LedgerEvent.type == "filings:calendar-year:load")
        )
    return int(years or 0), int(days or 0), int(events or 0)


def test_loading_the_2026_notice_gives_the_package_answer_every_day(
    db: Database, cli_env: Path
) -> None:
    loaded = cli("load", str(NOTICE_2026), "--json")
    assert loaded.exit_code == 0, loaded.output
    answer = json.loads(loaded.output)
    assert answer["year"] == 2026 and answer["days"] == 25 and answer["loaded"] is True
    assert answer["differs_from_package"] == []  # the notice, as the package transcribed it
    with db.session(readonly=True) as session:
        calendar = official_calendar(session)
    assert calendar.source_of(2026).startswith("notice https://www.gov.cn/gongbao/2025/")
    assert answer["receipt"]["event_id"] in calendar.source_of(2026)
    day = D(2026, 1, 1)
    while day.year == 2026:
        assert calendar.is_working_day(day) == PACKAGE.is_working_day(day), day
        day += timedelta(days=1)
    assert calendar.source_of(2025) == PACKAGE.source_of(2025)  # other years: the package
    # The same notice again records nothing.
    again = json.loads(cli("load", str(NOTICE_2026), "--json").output)
    assert again["loaded"] is False and again["receipt"] is None
    assert counts(db) == (1, 25, 1)


def test_show_prints_the_days_and_their_source(db: Database, cli_env: Path) -> None:
    packaged = json.loads(cli("show", "2026", "--json").output)
    assert packaged["source"].startswith("chinesecalendar ") and packaged["overrides"] is None
    assert {"date": "2026-02-14", "kind": "workday", "name": "Spring Festival"} in packaged["days"]
    assert cli("load", str(NOTICE_2026)).exit_code == 0
    shown = cli("show", "2026")
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert lines[0].startswith("2026: notice https://www.gov.cn/")
    assert lines[1].startswith("(a loaded notice, in force over chinesecalendar ")
    assert "2026-02-14  workday  春节" in lines
    assert len(lines) == 2 + 25
    missing = cli("show", "2029")
    assert missing.exit_code == 1
    assert "no calendar covers 2029: load its notice with `crossfin calendar load FILE`" in (
        missing.output
    )


def test_a_loaded_notice_overrides_the_package_for_its_year(db: Database) -> None:
    # A corrected notice (made up): Monday 9 March 2026 off, Saturday 14 March worked.
    text = NOTICE_2026.read_text(encoding="utf-8")
    text += "2026-03-09,holiday,TEST ONLY correction\n2026-03-14,workday,TEST ONLY correction\n"
    first = load_text(db, NOTICE_2026.read_text(encoding="utf-8"))
    corrected = load_text(db, text)
    assert first.receipt is not None and corrected.replaces == first.receipt.event_id
    assert corrected.differs_from_package == [D(2026, 3, 9), D(2026, 3, 14)]
    with db.session(readonly=True) as session:
        calendar = official_calendar(session)
    assert not calendar.is_working_day(D(2026, 3, 9)) and PACKAGE.is_working_day(D(2026, 3, 9))
    assert calendar.is_working_day(D(2026, 3, 14))
    assert due(Clock(D(2026, 3, 6), limit=5), calendar) == D(2026, 3, 14)
    assert due(Clock(D(2026, 3, 6), limit=5), PACKAGE) == D(2026, 3, 13)
    assert counts(db) == (2, 25 + 27, 2)  # the first loading is kept, with its event


def test_a_bad_file_is_refused_naming_the_line_and_nothing_is_stored(
    db: Database, cli_env: Path
) -> None:
    bad = cli_env / "bad.csv"
    bad.write_text(FICTIONAL_2030 + "2030-01-06,holiday,Sunday\n2031-01-02,holiday,Later\n")
    refused = cli("load", str(bad))
    assert refused.exit_code == 1
    assert "error: line 6: 2030-01-06 is a Sunday, off anyway" in refused.output
    assert "error: line 7: date 2031-01-02 is outside the declared year 2030" in refused.output
    unreadable = cli_env / "latin1.csv"
    unreadable.write_bytes(FICTIONAL_2030.replace("TEST", "TÉST").encode("latin-1"))
    assert "error: FILE: cannot read" in cli("load", str(unreadable)).output
    assert counts(db) == (0, 0, 0)


def test_the_loading_is_a_ledger_event_the_audit_checks(db: Database) -> None:
    loaded = load_text(db, FICTIONAL_2030)
    assert loaded.receipt is not None and loaded.differs_from_package is None
    with db.session(readonly=True) as session:
        event = session.scalars(
            select(LedgerEvent).where(LedgerEvent.event_id == loaded.receipt.event_id)
        ).one()
    record = json.loads(event.record)
    assert record["type"] == "filings:calendar-year:load"
    assert record["subjects"] == {"calendar_year": loaded.row_id, "year": 2030}
    assert list(record["state"]) == [f"calendar_year:{loaded.row_id}"]
    notice = parse_notice(FICTIONAL_2030)
    content = notice.content() | {"id": loaded.row_id, "digest": notice.digest(), "replaces": None}
    assert record["digest"] == content_digest(content)
    views = StateViews(store.state_views())
    report = audit_state_database(db, views)
    assert report.ok and report.tables["calendar_years"] == 1
    # A day altered behind the log's back shows in the audit.
    with db.session() as session, session.begin():
        moved = update(CalendarDay).where(CalendarDay.day == D(2030, 1, 5))
        session.execute(moved.values(day=D(2030, 1, 12)))
    tampered = audit_state_database(db, views)
    assert not tampered.ok and tampered.divergent[0].table == "calendar_years"


def test_a_deadline_runs_into_a_loaded_year(db: Database) -> None:
    # 20 working days from Friday 20 December 2030 (fictional 2030 and 2031 notices):
    # 12-23 .. 12-27 (5), 12-30, 12-31 (7); 1-1 .. 1-3 off; Saturday 1-4 worked (8);
    # 1-6 .. 1-10 (13), 1-13 .. 1-17 (18), 1-20, 1-21 (20).
    clock = Clock(D(2030, 12, 20), limit=20)
    load_text(db, FICTIONAL_2030)
    with db.session(readonly=True) as session, pytest.raises(CalendarOutOfRange) as refused:
        due(clock, official_calendar(session))
    assert refused.value.extra == {"year": 2031}
    assert "crossfin calendar load FILE" in refused.value.detail
    load_text(db, FICTIONAL_2031)
    with db.session(readonly=True) as session:
        calendar = official_calendar(session)
    assert due(clock, calendar) == D(2031, 1, 21)
    assert status(clock, D(2031, 1, 3), calendar).working_days_left == 13
    assert calendar.source_of(2031).startswith("notice TEST-2031 (TEST ONLY")


def test_today_a_deadline_into_2027_is_refused_with_the_fix(db: Database) -> None:
    with db.session(readonly=True) as session:
        calendar = official_calendar(session)
    with pytest.raises(CalendarOutOfRange) as refused:
        due(Clock(D(2026, 12, 4), limit=20), calendar)
    problem = refused.value.problem()
    assert problem["status"] == 503 and problem["year"] == 2027
    assert (
        "load the State Council's holiday notice for 2027 with `crossfin calendar load"
        in (problem["detail"])
    )
    assert "or upgrade the chinesecalendar package" in problem["detail"]


def _load_in_another_process(db_url: str, path: Path) -> None:
    """`crossfin calendar load` run as its own process: another worker's loading."""
    env = os.environ | {"CROSSFIN_DATABASE_URL": db_url, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "crossfin.cli.main", "calendar", "load", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_cache_follows_the_version_across_processes_and_databases(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(CACHE, "clock", lambda: now[0])
    other = Database(db_url)  # a second database object on the same database

    def covers(database: Database, year: int) -> bool:
        with database.session(readonly=True) as session:
            return official_calendar(session).covers(year)

    try:
        assert not covers(db, 2030) and not covers(other, 2030)  # both cached at t = 1000
        # Another process loads 2030: nothing tells this one but the version it reads.
        notice = tmp_path / "fictional-2030.csv"
        notice.write_text(FICTIONAL_2030, encoding="utf-8")
        _load_in_another_process(db_url, notice)
        now[0] += CACHE.ttl - 1
        assert not covers(db, 2030) and not covers(other, 2030)  # not checked yet
        now[0] += 1
        assert covers(db, 2030) and covers(other, 2030)  # the version changed
        with db.session(readonly=True) as session:
            cached = official_calendar(session)
        now[0] += CACHE.ttl  # checked again, same version: the same calendar object
        with db.session(readonly=True) as session:
            assert official_calendar(session) is cached
        # A loading here that rolls back changes nobody's calendar ...
        with UnitOfWork(db, ACTOR) as uow:
            store.load_notice(uow, parse_notice(FICTIONAL_2031))
        assert not covers(db, 2031) and not covers(other, 2031)
        # ... one that commits drops this process's copies of the database at once.
        loaded = load_text(other, FICTIONAL_2031)
        assert covers(db, 2031) and covers(other, 2031)
        assert loaded.receipt is not None
        with db.session(readonly=True) as session:
            assert official_calendar(session).version == loaded.receipt.event_id
    finally:
        CACHE.invalidate(other.engine)
        other.dispose()
