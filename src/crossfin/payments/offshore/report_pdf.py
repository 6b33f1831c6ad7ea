"""The P4 authenticity report as a PDF: the report JSON printed bilingually, with the
ledger receipt attached as receipt.json (and the bare tlog-proof as receipt.tlog-proof).

`render_report_pdf` takes exactly the answer of GET /v1/payments/offshore-checks/{id}.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from crossfin.core.clock import utcnow
from crossfin.core.pdf import Cell, PdfBuilder
from crossfin.ledger.bundle import parse_proof_bundle
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.note import parse_note
from crossfin.payments.offshore.report_labels import (
    KINDS_ZH,
    SUBJECTS_ZH,
    bilingual,
    outcome_badge,
)

TITLE_ZH = "离岸转手买卖真实性核验报告"
TITLE_EN = "Offshore trade authenticity report"
NONE = "—"


def render_report_pdf(report: dict[str, Any], *, generated_at: datetime | None = None) -> bytes:
    """The report's PDF; `generated_at` (default now) is printed in every footer."""
    pdf = PdfBuilder(TITLE_ZH, TITLE_EN, generated_at or utcnow())
    _summary(pdf, report)
    _parties(pdf, report)
    _contract(pdf, report["contract"])
    _documents(pdf, report["documents"], report["containers"])
    _comparisons(pdf, report["comparisons"])
    _receipt(pdf, report["receipt"])
    return pdf.build()


def _text(value: Any) -> str:
    return NONE if value is None or value == "" else str(value)


def _summary(pdf: PdfBuilder, report: Mapping[str, Any]) -> None:
    pdf.big_badge(outcome_badge(report["outcome"]))
    counts = {"match": 0, "mismatch": 0, "missing": 0}
    for comparison in report["comparisons"]:
        counts[comparison["outcome"]] = counts.get(comparison["outcome"], 0) + 1
    pdf.key_values(
        [
            ("核验编号 / Check", f"#{report['check_id']}"),
            ("核验时间 / Checked at", _text(report["created_at"])),
            (
                "比对结果 / Comparisons",
                f"一致 match {counts['match']} · 不一致 mismatch {counts['mismatch']} · "
                f"缺失 missing {counts['missing']}",
            ),
        ]
    )


def _parties(pdf: PdfBuilder, report: Mapping[str, Any]) -> None:
    bank, enterprise = report["bank"], report["enterprise"]
    names = [enterprise["name_zh"], enterprise["name"]] if enterprise.get("name_zh") else []
    pdf.heading("当事方", "Parties")
    pdf.key_values(
        [
            ("核验银行 / Bank", [_text(bank["name"]), f"USCC {_text(bank.get('uscc'))}"]),
            (
                "企业 / Enterprise",
                [*(names or [_text(enterprise["name"])]), f"USCC {_text(enterprise['uscc'])}"],
            ),
        ]
    )


def _contract(pdf: PdfBuilder, contract: Mapping[str, Any]) -> None:
    buyer, seller = contract["buyer"], contract["seller"]
    pdf.heading("合同", "Contract")
    pdf.key_values(
        [
            ("合同编号 / Number", _text(contract["number"])),
            ("金额 / Amount", f"{contract['amount']} {contract['currency']}"),
            ("买方 / Buyer", f"{buyer['name']} ({buyer['country']})"),
            ("卖方 / Seller", f"{seller['name']} ({seller['country']})"),
        ]
    )


def _documents(
    pdf: PdfBuilder, documents: Sequence[Mapping[str, Any]], containers: Sequence[str]
) -> None:
    pdf.heading("单证", "Documents")
    rows = [
        [
            bilingual(doc["kind"], KINDS_ZH),
            _text(doc["key"]),
            _text(doc.get("role")),
            "✓ 已签注 / endorsed" if doc.get("endorsed") else "未签注 / not endorsed",
        ]
        for doc in documents
    ]
    pdf.table(
        ["种类 / Kind", "编号 / Key", "用途 / Role", "签注 / Endorsement"],
        rows,
        [0.25, 0.3, 0.2, 0.25],
    )
    pdf.heading("集装箱", "Containers")
    pdf.paragraph(", ".join(containers) if containers else NONE)


def _comparisons(pdf: PdfBuilder, comparisons: Sequence[Mapping[str, Any]]) -> None:
    pdf.heading("比对明细", "Comparisons")
    rows: list[list[Cell]] = [
        [
            bilingual(c["subject"], SUBJECTS_ZH),
            outcome_badge(c["outcome"]),
            [f"{e['source']} · {e['field']}: {_text(e['value'])}" for e in c["evidence"]] or [NONE],
            _text(c.get("tolerance")),
            _text(c.get("note")),
        ]
        for c in comparisons
    ]
    pdf.table(
        ["项目 / Subject", "结果 / Outcome", "证据 / Evidence", "容差 / Tolerance", "说明 / Note"],
        rows,
        [0.14, 0.19, 0.33, 0.12, 0.22],
    )


def _receipt(pdf: PdfBuilder, receipt: Mapping[str, Any]) -> None:
    pdf.heading("账本回执", "Ledger receipt")
    bundle = receipt.get("bundle")
    size, origin = NONE, NONE
    if bundle:
        checkpoint = parse_checkpoint(parse_note(parse_proof_bundle(bundle).signed_note).text)
        size, origin = str(checkpoint.size), checkpoint.origin
    pdf.key_values(
        [
            ("叶索引 / Leaf index", _text(receipt.get("leaf_index"))),
            ("树大小 / Tree size", size),
            ("叶哈希 / Leaf hash", _text(receipt.get("leaf_hash"))),
            ("检查点来源 / Checkpoint origin", origin),
            ("事件 / Event", _text(receipt.get("event_id"))),
        ]
    )
    how = (
        "附件 receipt.json 可离线验证 / The attached receipt.json verifies offline: "
        "crossfin verify receipt receipt.json --key <log verifier key>"
        if bundle
        else "该事件尚未进入已签名检查点 / The event is not in a signed checkpoint yet: "
        f"fetch its receipt later from /v1/log/receipts/{receipt.get('leaf_index')}."
    )
    pdf.spacer()
    pdf.paragraph(how, small=True)
    text = json.dumps(receipt, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    pdf.attach("receipt.json", text.encode("utf-8"))
    if bundle:
        pdf.attach("receipt.tlog-proof", bundle.encode("utf-8"))
