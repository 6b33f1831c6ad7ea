"""Form definitions as data: loading is a ledger event, the same definition again is
none, a version in use is fixed; the API and the CLI list and read them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.canonical import canonical_json
from crossfin.core.db import Database
from crossfin.core.errors import Conflict
from crossfin.filings.catalogue import set_form
from crossfin.ledger.events import EventType
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import OrgKind
from support.filings import FORM, draft, form_in
from support.parties import TEST_ACTOR, make_party


def _set(db: Database, **overrides: object) -> bool:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        _, receipt = set_form(uow, form_in(**overrides))
        uow.commit()
    return receipt is not None


def test_loading_is_an_event_and_a_used_version_is_fixed(client: TestClient, db: Database) -> None:
    assert _set(db) is True
    assert _set(db) is False  # the same again: nothing to record
    assert _set(db, name_en="Test statistics, corrected") is True  # unused: replaced
    bank = make_party(db, OrgKind.BANK, jurisdiction="440300")
    draft(client, bank)
    with pytest.raises(Conflict):
        _set(db, definition={"required": ["period"]})
    assert _set(db, version=2, definition={"required": ["period"]}) is True
    forms = client.get(f"/v1/filing-forms/{FORM}", headers=bank.headers).json()
    assert [(f["version"], f["name_en"]) for f in forms] == [
        (1, "Test statistics, corrected"),
        (2, "Test statistics"),
    ]
    digest = forms[1]["definition_sha256"]
    assert digest == hashlib.sha256(canonical_json({"required": ["period"]})).hexdigest()
    # A new draft takes the newest version in force.
    assert draft(client, bank)["form_version"] == 2
    missing = client.get("/v1/filing-forms/NOPE", headers=bank.headers)
    assert missing.status_code == 404
    with db.session() as session:
        query = select(func.count()).where(LedgerEvent.type == EventType.FILING_FORM_SET.value)
        assert session.scalar(query) == 3


def test_the_cli_loads_lists_and_shows(db: Database, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "forms.json"
    forms = [form_in().model_dump(mode="json"), form_in(code="RISK-REPORT").model_dump(mode="json")]
    forms[1]["system"] = "risk_report"
    path.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    env = {"CROSSFIN_DATABASE_URL": db_url}
    runner = CliRunner()
    loaded = runner.invoke(cli, ["filings", "forms", "load", str(path), "--json"], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert [f["changed"] for f in json.loads(loaded.output)["forms"]] == [True, True]
    again = runner.invoke(cli, ["filings", "forms", "load", str(path), "--json"], env=env)
    assert [f["changed"] for f in json.loads(again.output)["forms"]] == [False, False]
    listed = runner.invoke(cli, ["filings", "forms", "list", "--json"], env=env)
    codes = [(f["code"], f["system"]) for f in json.loads(listed.output)["forms"]]
    assert codes == [("RISK-REPORT", "risk_report"), (FORM, "licence")]
    shown = runner.invoke(cli, ["filings", "forms", "show", "RISK-REPORT"], env=env)
    assert json.loads(shown.output)[0]["name_zh"] == "测试统计表"
    path.write_text(json.dumps({"code": "bad code"}), encoding="utf-8")
    bad = runner.invoke(cli, ["filings", "forms", "load", str(path)], env=env)
    assert bad.exit_code == 1 and "code" in bad.output
