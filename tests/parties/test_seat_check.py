"""`crossfin jurisdictions check` lists organizations an older database seated where
onboarding now refuses, exits 1 if any, and moves nobody."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from crossfin.cli.main import app as cli_app
from crossfin.core.db import Database
from crossfin.parties.models import Organization, OrgKind
from support.parties import make_party

runner = CliRunner()


@pytest.fixture
def cli_env(db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _seat(db: Database, org_id: int, code: str, path: str) -> None:
    """Place an organization as an older release could have, straight into the table."""
    with db.engine.begin() as conn:
        conn.execute(
            update(Organization)
            .where(Organization.id == org_id)
            .values(jurisdiction_code=code, jurisdiction_path=path)
        )


def test_a_clean_database_passes(cli_env: Path, db: Database) -> None:
    shenzhen = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    make_party(db, OrgKind.REGULATOR, jurisdiction="440305", parent_org_id=shenzhen.org_id)
    make_party(db, OrgKind.ENTERPRISE, jurisdiction="441900")  # Dongguan: no counties
    retired = make_party(db, OrgKind.ENTERPRISE, jurisdiction="330105").org_id
    _seat(db, retired, "330103", "/000000/330000/330100/330103/")  # seated before 2021
    result = runner.invoke(cli_app, ["jurisdictions", "check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"misplaced": []}


def test_misplaced_organizations_are_listed_and_stay(cli_env: Path, db: Database) -> None:
    at_prefecture = make_party(db, OrgKind.ENTERPRISE).org_id
    _seat(db, at_prefecture, "440300", "/000000/440000/440300/")
    at_province = make_party(db, OrgKind.ENTERPRISE).org_id
    _seat(db, at_province, "440000", "/000000/440000/")
    loose = make_party(db, OrgKind.REGULATOR, jurisdiction="440300").org_id
    _seat(db, loose, "440304", "/000000/440000/440300/440304/")
    make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")  # well placed

    result = runner.invoke(cli_app, ["jurisdictions", "check", "--json"])
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)["misplaced"]
    assert [(r["org_id"], r["jurisdiction"], r["level"]) for r in rows] == [
        (at_prefecture, "440300", "prefecture"),
        (at_province, "440000", "province"),
        (loose, "440304", "county"),
    ]
    assert "without a parent office" in rows[2]["reason"]
    human = runner.invoke(cli_app, ["jurisdictions", "check"])
    assert human.exit_code == 1 and f"enterprise {at_prefecture} " in human.stdout
    with db.session(readonly=True) as session:
        assert session.get_one(Organization, at_prefecture).jurisdiction_code == "440300"
