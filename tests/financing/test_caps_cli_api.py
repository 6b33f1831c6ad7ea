"""Caps versions: `crossfin scenarios caps set | show`, `GET /v1/scenario-caps`, the
ledger event and the audit of their rows."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from crossfin.assembly import state_views
from crossfin.cli.main import app as cli
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from support.financing import make_firms, today

runner = CliRunner()


def caps_file(tmp_path, name, items):
    path = tmp_path / name
    path.write_text(json.dumps(items))
    return str(path)


def test_set_show_read_and_audit(client, db, db_url, settings, tmp_path):
    env = {"CROSSFIN_DATABASE_URL": db_url, "CROSSFIN_DATA_DIR": str(settings.data_dir)}
    firms = make_firms(db, banks=1)
    shipped = client.get("/v1/scenario-caps", headers=firms.enterprise.headers).json()
    assert {c["scenario"]: c["source"] for c in shipped["in_force"]} == {
        "F1": "shipped",
        "F3": "shipped",
        "F4": "shipped",
        "F5": "shipped",
        "F6": "shipped",
        "F7": "shipped",
        "F8": "shipped",
    }
    assert shipped["versions"] == []
    v2 = {
        "scenario": "F1",
        "version": 2,
        "effective_from": str(today()),
        "params": {"advance_ratio": "0.80", "max_declaration_age_days": 90},
    }
    path = caps_file(tmp_path, "f1.json", [v2])
    first = runner.invoke(cli, ["scenarios", "caps", "set", path], env=env)
    assert first.exit_code == 0 and "F1 v2: loaded" in first.output, first.output
    again = runner.invoke(cli, ["scenarios", "caps", "set", path], env=env)
    assert again.exit_code == 0 and "F1 v2: unchanged" in again.output
    changed = v2 | {"params": {"advance_ratio": "0.70", "max_declaration_age_days": 90}}
    clash = runner.invoke(
        cli, ["scenarios", "caps", "set", caps_file(tmp_path, "x.json", changed)], env=env
    )
    assert clash.exit_code == 1 and "already loaded" in clash.output
    bad = v2 | {"version": 3, "params": {"advance_ratio": "1.5", "max_declaration_age_days": 9}}
    wrong = runner.invoke(
        cli, ["scenarios", "caps", "set", caps_file(tmp_path, "b.json", bad)], env=env
    )
    assert wrong.exit_code == 1 and "params.advance_ratio" in wrong.output
    defaults = runner.invoke(cli, ["scenarios", "caps", "set", "--defaults"], env=env)
    assert defaults.exit_code == 0 and defaults.output.count("loaded") == 7, defaults.output
    shown = runner.invoke(cli, ["scenarios", "caps", "show", "F1", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    assert [c["version"] for c in body["in_force"]] == [2]
    assert [c["version"] for c in body["versions"]] == [1, 2]
    read = client.get("/v1/scenario-caps?scenario=F1", headers=firms.banks[0].headers).json()
    assert read["in_force"][0]["params"] == {
        "advance_ratio": "0.80",
        "max_declaration_age_days": 90,
    }
    earlier = client.get(
        "/v1/scenario-caps?scenario=F1&on=2019-12-31", headers=firms.banks[0].headers
    )
    assert earlier.status_code == 422  # nothing, not even the shipped defaults, before 2020
    unknown = client.get("/v1/scenario-caps?scenario=F9", headers=firms.banks[0].headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "scenario"
    assert client.get("/v1/scenario-caps").status_code == 401
    report = audit_state_database(db, StateViews(state_views()))
    assert report.ok and report.tables["scenario_caps"] == 8, report  # F1 v2, 7 defaults
    audited = runner.invoke(cli, ["log", "audit", "--state", "--json"], env=env)
    state = json.loads(audited.stdout)["state"]
    assert state["ok"] and state["divergent"] == [], audited.output
