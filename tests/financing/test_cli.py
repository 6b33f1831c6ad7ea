"""`crossfin financing apply | expire | fx-load` end to end (apply against a live server)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from support.financing import application, balance_row, declaration, make_firms
from support.financing_storm import live_server

runner = CliRunner()


def test_apply_file_reports_each_line_and_reruns_safely(app, db, tmp_path):
    firms = make_firms(db)
    doc = declaration(db, firms, "100.00")
    lines = [
        json.dumps(application(firms, [doc], "60.00", ref="A-1")),
        json.dumps(application(firms, [doc], "60.00", ref="A-2")),
        "{not json",
        json.dumps(application(firms, [doc], "40.00", ref="A-3")),
    ]
    path = tmp_path / "apps.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results.jsonl"
    with live_server(app) as base:
        env = {"CROSSFIN_SERVER": base, "CROSSFIN_API_KEY": firms.banks[0].key}
        first = runner.invoke(
            cli, ["financing", "apply", str(path), "--out", str(out), "--concurrency", "1"], env=env
        )
        results = [json.loads(x) for x in out.read_text().splitlines()]
        again = runner.invoke(cli, ["financing", "apply", str(path), "--concurrency", "1"], env=env)
    assert first.exit_code == 1, first.output
    assert [(r["line"], r["status"]) for r in results] == [(1, 201), (2, 409), (3, 0), (4, 201)]
    assert results[1]["type"] == "over-financing" and "not JSON" in results[2]["error"]
    assert balance_row(db, doc)[0] == 10000
    rerun = [json.loads(x) for x in again.stdout.splitlines() if x.startswith("{")]
    assert [r.get("replayed") for r in rerun if r["status"] == 201] == [True, True]
    assert balance_row(db, doc)[0] == 10000


def test_expire_and_fx_load(db, db_url, tmp_path):
    env = {"CROSSFIN_DATABASE_URL": db_url}
    res = runner.invoke(cli, ["financing", "expire", "--json"], env=env)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"expired": [], "overdue": []}
    rates = tmp_path / "rates.csv"
    rates.write_text("date,pair,rate\n2026-11-26,USD/CNY,7.1123\n2026-11-26,EUR/CNY,7.641\n")
    res = runner.invoke(cli, ["financing", "fx-load", str(rates), "--json"], env=env)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["loaded"] == 2
    rates.write_text("date,pair,rate\n2026-11-26,USD/XXX,7\n")
    res = runner.invoke(cli, ["financing", "fx-load", str(rates)], env=env)
    assert res.exit_code == 1 and "XXX" in res.output
