"""The shipped forms load through the catalogue, once; the CLI loads them with --builtin."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.filings.builtin import builtin_forms, load_builtin
from crossfin.filings.forms import FormDefinition
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR


def test_every_shipped_form_is_valid_and_statistics_read_their_template() -> None:
    found = {(f.code, f.version): f for f in builtin_forms()}
    assert {("EFAL-M", 1), ("EFAL-Q", 1), ("RISK-REPORT", 1)} <= set(found)
    risk = found["RISK-REPORT", 1]
    assert risk.definition["filed_by"] == "head_office" and risk.clock_starts == "given"
    assert risk.deadline_days == 5
    monthly = FormDefinition.model_validate(found["EFAL-M", 1].definition)
    assert monthly.period_kind == "monthly" and monthly.tables


def test_loading_twice_records_once(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        first = load_builtin(uow)
        uow.commit()
    with UnitOfWork(db, TEST_ACTOR) as uow:
        second = load_builtin(uow)
        uow.commit()
    assert all(r is not None for _, r in first) and len(first) == len(builtin_forms())
    assert all(r is None for _, r in second)


def test_the_cli_loads_the_shipped_forms(db: Database, db_url: str) -> None:
    env = {"CROSSFIN_DATABASE_URL": db_url}
    runner = CliRunner()
    loaded = runner.invoke(cli, ["filings", "forms", "load", "--builtin", "--json"], env=env)
    assert loaded.exit_code == 0, loaded.output
    codes = {f["code"] for f in json.loads(loaded.output)["forms"]}
    assert {"EFAL-M", "EFAL-Q"} <= codes
    neither = runner.invoke(cli, ["filings", "forms", "load"], env=env)
    assert neither.exit_code == 1 and "--builtin" in neither.output
