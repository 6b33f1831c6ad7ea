"""The P4 authenticity report PDF: it opens, shows Chinese, embeds its fonts, and carries a
real ledger receipt that `crossfin verify receipt` accepts."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crossfin.cli.main import app as cli
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import service as ledger
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import service as parties
from crossfin.parties.models import OrgKind
from crossfin.payments.offshore.report_pdf import TITLE_ZH, render_report_pdf
from support.ledger import log_vkey, quiet_settings, sign
from support.parties import TEST_ACTOR, org_in
from support.pdf import attachments, fonts, page_texts, render_pages

AT = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
NAME_ZH = "深圳前海离岸贸易有限公司"
runner = CliRunner()


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return quiet_settings(settings)


def _enterprise_receipt(db: Database, conf: Settings, *, checkpoint: bool) -> dict[str, Any]:
    """The receipt of a real ledger event: the enterprise's onboarding (parties.add_org)."""
    with UnitOfWork(db, TEST_ACTOR) as uow:
        _, receipt = parties.add_org(
            uow, org_in(OrgKind.ENTERPRISE, name="Qianhai Offshore Trade Co.", name_zh=NAME_ZH)
        )
        uow.commit()
    if checkpoint:
        sign(db, conf)
    with db.session(readonly=True) as session:
        return ledger.receipt_object(session, receipt, conf.witness_quorum)


def _comparison(subject: str, outcome: str, value: str, other: str | None = None) -> dict:
    evidence = [{"source": "bill_of_lading BL-2026-001", "field": subject, "value": value}]
    if other is not None:
        evidence.append(
            {"source": "overseas_declaration SG-DEC-77", "field": subject, "value": other}
        )
    return {
        "subject": subject,
        "outcome": outcome,
        "evidence": evidence,
        "tolerance": "±3 days" if subject == "on_board_date" else None,
        "note": "一致 agrees"
        if outcome == "match"
        else "提单与报关单不一致 B/L and declaration differ",
    }


def _report(receipt: dict[str, Any], outcome: str = "passed") -> dict[str, Any]:
    comparisons = [
        _comparison("vessel", "match", "MAERSK KOLKATA", "MAERSK KOLKATA"),
        _comparison("voyage", "match", "245W", "245W"),
        _comparison("on_board_date", "match", "2026-11-20", "2026-11-21"),
        _comparison("port_of_loading", "match", "SGSIN", "SGSIN"),
    ]
    if outcome == "failed":
        comparisons[0] = _comparison("vessel", "mismatch", "MAERSK KOLKATA", "EVER GIVEN")
        comparisons.append(_comparison("weight", "missing", "18500 KG"))
    return {
        "check_id": 12,
        "outcome": outcome,
        "created_at": "2026-12-04T10:00:00Z",
        "bank": {"name": "Bank of Qianhai Shenzhen Branch", "uscc": "91440300MA5G0X1234"},
        "enterprise": {
            "name": "Qianhai Offshore Trade Co.",
            "name_zh": NAME_ZH,
            "uscc": "91440300MA5EXAMPLE",
        },
        "contract": {
            "number": "QH-SG-2026-0042",
            "amount": "1250000.00",
            "currency": "USD",
            "buyer": {"name": "Lion City Metals Pte. Ltd.", "country": "SG"},
            "seller": {"name": "Rheinstahl Handels GmbH", "country": "DE"},
        },
        "documents": [
            {
                "kind": "bill_of_lading",
                "key": "BL-2026-001",
                "role": "transport document",
                "endorsed": outcome == "passed",
            },
            {
                "kind": "overseas_declaration",
                "key": "SG-DEC-77",
                "role": "customs declaration",
                "endorsed": outcome == "passed",
            },
        ],
        "containers": ["MSKU1234565", "TGHU7654328"],
        "comparisons": comparisons,
        "receipt": receipt,
    }


def test_passed_report_opens_shows_chinese_and_embeds_its_fonts(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    report = _report(_enterprise_receipt(db, conf, checkpoint=True))
    pdf = render_report_pdf(report, generated_at=AT)
    text = "\n".join(page_texts(pdf))
    for expected in [
        TITLE_ZH,
        "Offshore trade authenticity report",
        NAME_ZH,
        "核验通过 / PASSED",
        "已签注 / endorsed",
        "MSKU1234565",
        "船名 / vessel",
        "QH-SG-2026-0042",
        "1250000.00 USD",
        "±3 days",
        report["receipt"]["leaf_hash"],
    ]:
        assert expected in text, expected
    assert f"#{report['check_id']}" in text
    for font in fonts(pdf):
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
    assert len(render_pages(pdf, tmp_path)) == len(page_texts(pdf))


def test_receipt_section_prints_index_size_hash_and_origin(db: Database, conf: Settings) -> None:
    receipt = _enterprise_receipt(db, conf, checkpoint=True)
    text = "\n".join(page_texts(render_report_pdf(_report(receipt), generated_at=AT)))
    with db.session(readonly=True) as session:
        size = ledger.tree_size(session)
    assert f"Leaf index\n{receipt['leaf_index']}\n" in text
    assert f"Tree size\n{size}\n" in text
    assert f"Checkpoint origin\n{conf.log_origin}\n" in text
    assert receipt["leaf_hash"] in text


def test_attached_receipt_verifies_with_crossfin_verify_receipt(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    receipt = _enterprise_receipt(db, conf, checkpoint=True)
    files = attachments(render_report_pdf(_report(receipt), generated_at=AT))
    assert set(files) == {"receipt.json", "receipt.tlog-proof"}
    assert json.loads(files["receipt.json"]) == receipt
    assert files["receipt.tlog-proof"].decode() == receipt["bundle"]
    path = tmp_path / "receipt.json"
    path.write_bytes(files["receipt.json"])
    ok = runner.invoke(cli, ["verify", "receipt", str(path), "--key", log_vkey(conf), "--json"])
    assert ok.exit_code == 0, ok.output
    answer = json.loads(ok.output)
    assert (answer["index"], answer["leaf_hash"]) == (receipt["leaf_index"], receipt["leaf_hash"])
    assert answer["origin"] == conf.log_origin


def test_a_tampered_attached_receipt_does_not_verify(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    receipt = _enterprise_receipt(db, conf, checkpoint=True)
    forged = dict(json.loads(attachments(render_report_pdf(_report(receipt)))["receipt.json"]))
    forged["leaf_hash"] = "%064x" % (int(forged["leaf_hash"], 16) ^ 1)
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(forged))
    bad = runner.invoke(cli, ["verify", "receipt", str(path), "--key", log_vkey(conf)])
    assert bad.exit_code == 1
    assert "receipt does not verify" in bad.output


def test_failed_report_shows_the_mismatches(db: Database, conf: Settings) -> None:
    report = _report(_enterprise_receipt(db, conf, checkpoint=True), outcome="failed")
    text = "\n".join(page_texts(render_report_pdf(report, generated_at=AT)))
    assert "核验未通过 / FAILED" in text and "核验通过 / PASSED" not in text
    assert "不一致 / mismatch" in text and "缺失 / missing" in text
    assert "EVER GIVEN" in text and "提单与报关单不一致" in text
    assert "未签注 / not endorsed" in text and "已签注 / endorsed" not in text
    assert "mismatch 1" in text and "missing 1" in text


def test_long_comparison_table_spills_onto_the_next_page(db: Database, conf: Settings) -> None:
    report = _report(_enterprise_receipt(db, conf, checkpoint=True))
    base = report["comparisons"][0]
    report["comparisons"] = []
    for n in range(60):
        row = copy.deepcopy(base)
        row["evidence"][0]["value"] = f"VESSEL-{n:02d} " + "很长的证据说明 long evidence " * 3
        report["comparisons"].append(row)
    texts = page_texts(render_report_pdf(report, generated_at=AT))
    assert len(texts) >= 3
    joined = "\n".join(texts)
    assert all(f"VESSEL-{n:02d}" in joined for n in range(60))
    spill = next(t for t in texts if "VESSEL-59" in t)
    assert "VESSEL-00" not in spill and "Evidence" in spill  # the header row repeats
    assert texts.index(spill) >= 1 and f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert "Ledger receipt" in texts[-1]


def test_receipt_not_yet_checkpointed_is_attached_and_said_so(
    db: Database, conf: Settings, tmp_path: Path
) -> None:
    receipt = _enterprise_receipt(db, conf, checkpoint=False)
    assert "bundle" not in receipt
    pdf = render_report_pdf(_report(receipt), generated_at=AT)
    text = "\n".join(page_texts(pdf))
    assert "not in a signed checkpoint yet" in text
    assert f"/v1/log/receipts/{receipt['leaf_index']}." in text
    assert "Tree size\n—\n" in text
    files = attachments(pdf)
    assert set(files) == {"receipt.json"}
    path = tmp_path / "receipt.json"
    path.write_bytes(files["receipt.json"])
    early = runner.invoke(cli, ["verify", "receipt", str(path), "--key", log_vkey(conf)])
    assert early.exit_code == 1
    assert "needs bundle" in early.output


def test_same_report_same_bytes(db: Database, conf: Settings) -> None:
    report = _report(_enterprise_receipt(db, conf, checkpoint=True))
    assert render_report_pdf(report, generated_at=AT) == render_report_pdf(report, generated_at=AT)


def test_an_enterprise_without_a_chinese_name_prints_its_name(db: Database, conf: Settings) -> None:
    report = _report(_enterprise_receipt(db, conf, checkpoint=True))
    report["enterprise"]["name_zh"] = None
    text = "\n".join(page_texts(render_report_pdf(report, generated_at=AT)))
    assert "Qianhai Offshore Trade Co." in text and NAME_ZH not in text.split("Contract")[0]
