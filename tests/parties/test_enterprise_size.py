"""An enterprise's size: set at onboarding (API, CLI), refused for other kinds, shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.parties.models import Organization, OrgKind
from support.parties import make_party, uscc_for
from support.web import add_user, login

runner = CliRunner()


def test_the_api_onboards_an_enterprise_with_its_size(client: TestClient, db: Database) -> None:
    op = make_party(db, OrgKind.OPERATOR)
    body = {
        "kind": "enterprise",
        "name": "Lotus",
        "uscc": uscc_for("440305", 801),
        "jurisdictions": ["440305"],
        "size": "micro",
    }
    response = client.post("/v1/orgs", json=body, headers=op.headers)
    assert response.status_code == 201, response.text
    org_id = response.json()["id"]
    assert response.json()["size"] == "micro"
    assert client.get(f"/v1/orgs/{org_id}", headers=op.headers).json()["size"] == "micro"


@pytest.mark.parametrize(
    ("kind", "size", "field"),
    [("bank", "small", "size"), ("enterprise", "tiny", "size")],
)
def test_a_size_is_refused_naming_the_field(
    client: TestClient, db: Database, kind: str, size: str, field: str
) -> None:
    op = make_party(db, OrgKind.OPERATOR)
    body: dict[str, object] = {"kind": kind, "name": "Sized", "size": size}
    if kind == "bank":
        body |= {"bic": "BKCHCNBJ", "jurisdictions": ["440000"]}
    else:
        body |= {"uscc": uscc_for("440305", 802), "jurisdictions": ["440305"]}
    with db.session(readonly=True) as session:
        before = session.query(Organization).count()
    response = client.post("/v1/orgs", json=body, headers=op.headers)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    with db.session(readonly=True) as session:
        assert session.query(Organization).count() == before


def test_the_cli_takes_a_size(db: Database, db_url: str, tmp_path: Path) -> None:
    env = {"CROSSFIN_DATABASE_URL": db_url, "CROSSFIN_DATA_DIR": str(tmp_path)}
    args = ["org", "add", "--kind", "enterprise", "--name", "Harbour Lights Trading"]
    args += ["--uscc", uscc_for("440305", 803), "--jurisdiction", "440305", "--size", "small"]
    result = runner.invoke(cli, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    with db.session(readonly=True) as session:
        org = session.get(Organization, json.loads(result.stdout)["id"])
        assert org is not None and org.size == "small"
    bad = runner.invoke(cli, [*args[:-1], "huge"], env=env)
    assert bad.exit_code != 0 and "huge" in bad.output


def test_the_portal_shows_the_size_in_both_languages(client: TestClient, db: Database) -> None:
    firm = make_party(db, OrgKind.ENTERPRISE, size="medium")
    login(client, add_user(db, firm.org_id))
    english = client.get("/", headers={"Accept-Language": "en"})
    assert 'data-test="org-size">Medium-sized<' in english.text
    chinese = client.get("/", headers={"Accept-Language": "zh"})
    assert 'data-test="org-size">中型企业<' in chinese.text
