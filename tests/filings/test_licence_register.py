"""The public register: searched without a key, only decided applications, only public
fields; a decision's verification code confirmed; the decision PDF (both sides) showing
Chinese, with a ledger receipt that verifies; anonymous callers rate limited."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from crossfin.api.app import create_app
from crossfin.assembly import state_views
from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.filings.licences.decision import TITLE_ZH
from crossfin.filings.models import Filing
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.parties.models import OrgKind
from support.ledger import log_vkey, quiet_settings, sign
from support.licences import BASICS, Today, apply_with_materials, move
from support.licences import load_licence_types as load_types
from support.parties import Party, make_party
from support.pdf import attachments, fonts, page_texts

HOLDER_ZH = "深圳市鹏程货币兑换有限公司"


@pytest.fixture
def world(client: TestClient, db: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Four applications of one firm: approved, refused, rejected at acceptance, withdrawn."""
    load_types(db)
    Today(monkeypatch, date(2026, 11, 2))
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305", name_zh=HOLDER_ZH)
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440300")
    ids = [apply_with_materials(client, firm) for _ in range(4)]
    for fid in ids[:3]:
        assert move(client, firm, fid, "submit").status_code == 200
    for fid, outcome in zip(ids[:2], ("approved", "refused"), strict=True):
        assert move(client, regulator, fid, "accept").status_code == 200
        assert move(client, regulator, fid, "review").status_code == 200
        body = {"outcome": outcome, "reasons": "内部审查意见（不公开）"}  # noqa: RUF001
        assert move(client, regulator, fid, "decide", body).status_code == 200
    body = {"outcome": "rejected", "reasons": "不予受理"}
    assert move(client, regulator, ids[2], "close", body).status_code == 200
    assert move(client, firm, ids[3], "withdraw").status_code == 200
    return {"firm": firm, "regulator": regulator, "ids": ids}


def _codes(client: TestClient, firm: Party, ids: list[int]) -> list[str | None]:
    found = [client.get(f"/v1/licences/{i}", headers=firm.headers).json() for i in ids]
    return [f["verification_code"] for f in found]


def test_the_register_shows_decisions_only_and_only_public_fields(
    client: TestClient, world: dict[str, Any]
) -> None:
    answer = client.get("/v1/public/licences", params={"q": "鹏程"})  # no key
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert sorted(i["decision"] for i in items) == ["approved", "refused"]
    codes = _codes(client, world["firm"], world["ids"])
    assert {i["verification_code"] for i in items} == set(codes[:2])
    assert codes[2:] == [None, None]
    text = answer.text
    assert "内部审查意见" not in text and BASICS["contact"] not in text
    assert set(items[0]) == {
        "type", "type_zh", "type_en", "holder", "holder_zh", "uscc",
        "decision", "decided_on", "verification_code", "reference",
    }  # fmt: skip
    assert items[0]["holder_zh"] == HOLDER_ZH and items[0]["type"] == "LIC-MONEY-EXCHANGE"
    only = client.get("/v1/public/licences", params={"decision": "approved"}).json()["items"]
    assert [i["verification_code"] for i in only] == codes[:1]
    assert client.get("/v1/public/licences", params={"q": "无此企业"}).json()["items"] == []
    other = client.get("/v1/public/licences", params={"type": "LIC-FX-SETTLEMENT"}).json()
    assert other["items"] == []


def test_a_code_verifies_and_others_do_not(client: TestClient, world: dict[str, Any]) -> None:
    code = _codes(client, world["firm"], world["ids"])[0]
    assert code is not None
    found = client.get(f"/v1/public/licences/verify/{code}")
    assert found.status_code == 200 and found.json()["decision"] == "approved"
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    missing = client.get(f"/v1/public/licences/verify/{forged}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_the_decision_pdf_shows_chinese_and_its_receipt_verifies(
    client: TestClient, db: Database, settings: Settings, world: dict[str, Any], tmp_path: Path
) -> None:
    conf = quiet_settings(settings)
    sign(db, conf)
    fid = world["ids"][0]
    code = _codes(client, world["firm"], world["ids"])[0]
    for side in (world["firm"], world["regulator"]):
        got = client.get(f"/v1/licences/{fid}/decision.pdf", headers=side.headers)
        assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    pdf = got.content
    text = "\n".join(page_texts(pdf))
    for expected in (TITLE_ZH, "个人本外币兑换特许业务经营许可", HOLDER_ZH, "准予许可", str(code)):
        assert expected in text, expected
    assert all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts(pdf))
    receipt = json.loads(attachments(pdf)["receipt.json"])
    steps = client.get(f"/v1/licences/{fid}", headers=world["firm"].headers).json()["steps"]
    assert receipt["event_id"] == steps[-1]["event_id"] and "bundle" in receipt
    assert f"Leaf index\n{receipt['leaf_index']}\n" in text
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    ok = CliRunner().invoke(cli, ["verify", "receipt", str(path), "--key", log_vkey(conf)])
    assert ok.exit_code == 0, ok.output
    # The record the receipt proves commits to the filing's state, verification code
    # included: change the code and the state audit names the row.
    entry = client.get(f"/v1/log/entries/{receipt['leaf_index']}", headers=world["firm"].headers)
    assert f"filing:{fid}" in json.loads(entry.content)["state"]
    views = StateViews(state_views())
    assert audit_state_database(db, views).ok
    with db.session() as session, session.begin():
        session.execute(update(Filing).where(Filing.id == fid).values(verification_code="LV-X"))
    assert [(d.table, d.row_id) for d in audit_state_database(db, views).divergent] == [
        ("filings", fid)
    ]


def test_anonymous_callers_are_rate_limited(settings: Settings, db: Database) -> None:
    limited = settings.model_copy(update={"rate_limit_read": 2})
    with TestClient(create_app(quiet_settings(limited), db)) as anon:
        answers = [anon.get("/v1/public/licences").status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        refused = anon.get("/v1/public/licences")
        assert refused.json()["type"].endswith("/rate-limited")
        assert int(refused.headers["Retry-After"]) >= 1
