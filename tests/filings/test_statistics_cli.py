"""`crossfin filings submit` against a live server (progress, per-cell report, exit 1 on
errors, a correction submitted) and `crossfin filings remind` (who is reminded, once per
threshold, by portal and by e-mail through a real SMTP server)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.notifications.mail import deliver_pending
from crossfin.parties.notifications.models import Notification
from support.filings import World, make_world, post
from support.financing_storm import live_server
from support.notifications import user_with_email
from support.smtp import mail_settings, smtp_server
from support.stats_filing import file_of, load_shipped, pin_days, upload_new
from support.stats_forms import clone, monthly

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def world(db: Database) -> World:
    load_shipped(db)
    return make_world(db)


def test_submit_reports_cells_exits_1_then_submits_the_correction(
    app: Any, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    good = monthly(period="2026-10")
    bad = clone(good)
    bad["tables"]["A1"][0]["OPN"] = -1  # below the range, and the identity breaks
    path, report = tmp_path / "october.xlsx", tmp_path / "report.csv"
    path.write_bytes(file_of(bad, "xlsx"))
    args = ["filings", "submit", str(path), "--form", "EFAL-M", "--period", "2026-10"]
    with live_server(app) as base:
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": world.branch.key}
        first = runner.invoke(cli, [*args, "--report", str(report)], env=env)
        assert first.exit_code == 1, first.output
        assert "M-A1-POS" in first.stdout and "A1[INSTR=A01,CTRY=US,CCY=USD].OPN" in first.stdout
        rows = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
        assert {(r["rule"], r["column"]) for r in rows} >= {("M-A1-POS", "OPN"), ("M-A1-SF", "CLS")}
        csv_args = [*args[:2], str(tmp_path / "october.csv"), *args[3:]]
        (tmp_path / "october.csv").write_bytes(file_of(good, "csv"))
        fixed = runner.invoke(cli, [*csv_args, "--json"], env=env)
        assert fixed.exit_code == 0, fixed.output
        answer = json.loads(fixed.stdout)
    assert answer["outcome"] == "submitted" and answer["issues"] == []
    assert answer["continuity"]["checked"] is False
    assert "rows read" in fixed.stderr or "rows read" in first.stderr


def test_a_file_that_does_not_parse_is_not_sent(
    app: Any, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    path = tmp_path / "bad.csv"
    path.write_text("table,period,INSTR,CTRY,CCY,OPN\nA1,2026-10,A01,US,USD,abc\n")
    with live_server(app) as base:
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": world.branch.key}
        got = runner.invoke(
            cli,
            ["filings", "submit", str(path), "--form", "EFAL-M", "--period", "2026-10"],
            env=env,
        )
    assert got.exit_code == 1 and "SHEET-NUMBER" in got.output and "nothing was sent" in got.output


def _submitted(client: Any, who: Any, period: str) -> None:
    created = upload_new(client, who, monthly(period=period))
    assert created.status_code == 201, created.text
    assert post(client, who, created.json()["filing"]["id"], "submit").status_code == 200


def test_remind_tells_the_filers_that_have_not_submitted_once_per_threshold(
    client: Any,
    db: Database,
    db_url: str,
    world: World,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pin_days(monkeypatch, date(2026, 11, 5))
    _submitted(client, world.branch, "2026-09")  # both banks filed EFAL-M before
    _submitted(client, world.other_bank, "2026-09")
    _submitted(client, world.branch, "2026-10")  # only the branch filed October
    user_with_email(db, world.other_bank.org_id, "stats@other.example.cn")
    env = {"CROSSFIN_DATABASE_URL": db_url}

    def remind(day: str) -> list[dict[str, Any]]:
        got = runner.invoke(cli, ["filings", "remind", "--today", day, "--json"], env=env)
        assert got.exit_code == 0, got.output
        return list(json.loads(got.stdout)["sent"])

    assert remind("2026-11-09") == []  # 4 working days before Friday 13 November
    sent = remind("2026-11-10")
    assert [(r["org_id"], r["period"], r["days"]) for r in sent] == [
        (world.other_bank.org_id, "2026-10", 3)
    ]
    assert remind("2026-11-10") == [] and remind("2026-11-11") == []
    assert [r["days"] for r in remind("2026-11-12")] == [1]
    assert remind("2026-11-13") == [] and remind("2026-11-16") == []
    with db.session(readonly=True) as session:
        query = select(Notification.kind).where(Notification.kind.like("filings:statistics:%"))
        kinds = list(session.scalars(query.order_by(Notification.id)))
    assert kinds == ["filings:statistics:due-3", "filings:statistics:due-1"]
    with smtp_server() as server:
        assert deliver_pending(db, mail_settings(settings, server)).sent == 2
    subjects = [str(make_header(decode_header(m["Subject"]))) for _, _, m in server.inbox.messages]
    assert all("EFAL-M 2026-10" in s and "2026-11-13" in s for s in subjects)
