"""How mail leaves: `crossfin notifications send`, and the server's background sender."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crossfin.api.app import create_app
from crossfin.cli.main import app as cli
from crossfin.core import secrets
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.parties.models import OrgKind
from crossfin.parties.notifications.background import sender_for
from support.notifications import send_notice, user_with_email
from support.parties import make_party
from support.smtp import Inbox, mail_settings, smtp_server

runner = CliRunner()


@pytest.fixture
def cli_env(db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSFIN_DATABASE_URL", db_url)
    monkeypatch.setenv("CROSSFIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _queue(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    user_with_email(db, bank.org_id, "clerk@bank.example.cn")
    send_notice(db, bank.org_id)


def test_the_send_command(db: Database, cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _queue(db)
    unset = runner.invoke(cli, ["notifications", "send"])
    assert unset.exit_code == 1 and "no SMTP server configured" in unset.output
    with smtp_server() as server:
        for name, value in {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(server.port),
            "SMTP_SECURITY": "none",
            "SMTP_FROM": "noreply@crossfin.example.cn",
        }.items():
            monkeypatch.setenv(f"CROSSFIN_{name}", value)
        result = runner.invoke(cli, ["notifications", "send", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"sent": 1, "failed": 0, "gave_up": 0, "requeued": 0}
        server.inbox.refuse_with = "550 5.1.1 mailbox unavailable"
        send_notice(db, make_party(db, OrgKind.BANK).org_id)  # nobody with an address
        _queue(db)
        failed = runner.invoke(cli, ["notifications", "send"])
    assert failed.exit_code == 1
    assert "sent 0, failed 1" in failed.stdout
    assert len(server.inbox.messages) == 1


def test_user_add_takes_an_address(db: Database, cli_env: Path) -> None:
    bank = make_party(db, OrgKind.BANK)
    args = ["user", "add", "--org", str(bank.org_id), "--role", "operator", "--json"]
    added = runner.invoke(
        cli,
        [*args, "--username", "mail.clerk", "--email", "Clerk@Bank.Example.CN"],
        input="correct horse battery\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout.strip().splitlines()[-1])["email"] == "Clerk@bank.example.cn"
    refused = runner.invoke(
        cli, [*args, "--username", "bad.clerk", "--email", "no-at-sign"], input="x" * 12 + "\n"
    )
    assert refused.exit_code == 1 and "email:" in refused.output


def _wait_for(inbox: Inbox, count: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) == count


def test_the_server_sends_in_the_background_when_smtp_is_configured(
    db: Database, settings: Settings
) -> None:
    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    _queue(db)
    with smtp_server() as server:
        config = mail_settings(settings, server, mail_send_seconds=0.1)
        with TestClient(create_app(config, db)):
            _wait_for(server.inbox, 1)
            _queue(db)  # queued while serving: the next round sends it
            _wait_for(server.inbox, 2)


def test_no_sender_without_smtp_or_with_no_interval(db: Database, settings: Settings) -> None:
    assert sender_for(db, settings) is None
    with smtp_server() as server:
        assert sender_for(db, mail_settings(settings, server, mail_send_seconds=0)) is None
        assert sender_for(db, mail_settings(settings, server)) is not None
