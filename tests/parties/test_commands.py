"""The scriptable onboarding CLI, acting on CROSSFIN_DATABASE_URL."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crossfin.cli.main import app
from crossfin.core.db import Database

runner = CliRunner()


@pytest.fixture
def cli_env(db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: str | None = None) -> dict[str, object]:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_onboard_a_bank_with_a_user_and_keys(cli_env: Path, client: TestClient) -> None:
    bank = run(
        "org",
        "add",
        "--kind",
        "bank",
        "--name",
        "Pearl Bank",
        "--bic",
        "PRLBCNBJ",
        "--jurisdiction",
        "440000",
        "--jurisdiction",
        "330000",
        "--json",
    )
    org_id = str(bank["id"])
    user = run(
        "user",
        "add",
        "--org",
        org_id,
        "--username",
        "pearl.admin",
        "--role",
        "admin",
        "--json",
        input="a long enough password\n",
    )
    assert user["username"] == "pearl.admin"
    key = run("api-key", "issue", "--org", org_id, "--service", "loan-system", "--json")
    assert str(key["key"]).startswith(f"cf_{key['id']}_")
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {key['key']}"})
    assert me.status_code == 200
    assert sorted(me.json()["organization"]["serves"]) == ["330000", "440000"]
    user_key = run("api-key", "issue", "--org", org_id, "--user", "pearl.admin", "--json")
    assert user_key["principal_id"] == user["id"]
    revoked = run("api-key", "revoke", str(key["id"]), "--json")
    assert revoked["id"] == key["id"]
    again = client.get("/v1/me", headers={"Authorization": f"Bearer {key['key']}"})
    assert again.status_code == 401


def test_invalid_uscc_exits_non_zero_naming_the_field(cli_env: Path) -> None:
    result = runner.invoke(
        app,
        [
            "org",
            "add",
            "--kind",
            "enterprise",
            "--name",
            "X",
            "--uscc",
            "91440300MA5DC6QX9D",
            "--jurisdiction",
            "440305",
        ],
    )
    assert result.exit_code == 1
    assert "uscc:" in result.output and "check character" in result.output


def test_short_password_is_refused(cli_env: Path) -> None:
    bank = run(
        "org",
        "add",
        "--kind",
        "bank",
        "--name",
        "Pearl Bank",
        "--bic",
        "PRLBCNBJ",
        "--jurisdiction",
        "440000",
        "--json",
    )
    result = runner.invoke(
        app,
        ["user", "add", "--org", str(bank["id"]), "--username", "pearl.x", "--role", "admin"],
        input="short\n",
    )
    assert result.exit_code != 0
    assert "10 characters" in result.output


def test_init_is_idempotent_and_keys_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", f"sqlite:///{tmp_path}/fresh.db")
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    first = run("init", "--json")
    assert first["jurisdictions_added"] and first["log_key_created"]
    second = run("init", "--json")
    assert second["jurisdictions_added"] == 0 and not second["log_key_created"]
    for name in ("log.key", "platform.secret"):
        mode = stat.S_IMODE(os.stat(tmp_path / "data" / name).st_mode)
        assert mode == 0o600, name


def test_key_groups_have_names_that_cannot_be_confused() -> None:
    # API keys are `api-key`, sources' signing keys `source-key`; the old names are gone.
    for group in ("api-key", "source-key"):
        assert runner.invoke(app, [group, "--help"]).exit_code == 0
    for gone in ("key", "keys"):
        assert runner.invoke(app, [gone, "--help"]).exit_code != 0
