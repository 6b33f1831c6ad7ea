"""A licence decision as a PDF: the decision printed bilingually with its verification
code, and its ledger receipt (event id, leaf index, leaf hash; tree size and checkpoint
once a signed checkpoint covers it) printed and attached as receipt.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import Conflict
from crossfin.core.pdf import Badge, PdfBuilder, Tone
from crossfin.filings.licences.register import entry
from crossfin.filings.licences.service import licence_form
from crossfin.filings.models import FilingStep
from crossfin.filings.steps import FilingState
from crossfin.filings.visibility import visible_filing
from crossfin.ledger.bundle import parse_proof_bundle
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.journal import Receipt
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.note import parse_note
from crossfin.ledger.service import receipt_object
from crossfin.parties.access import Caller
from crossfin.parties.models import Organization

TITLE_ZH = "行政许可决定书"
TITLE_EN = "Administrative licensing decision"
OUTCOMES = {
    "approved": Badge("准予许可 / APPROVED", Tone.GOOD),
    "refused": Badge("不予许可 / REFUSED", Tone.BAD),
}
NONE = "—"


def decision_of(session: Session, caller: Caller, filing_id: int, quorum: int) -> dict[str, Any]:
    """The decision of an application the caller reads (404 otherwise; 409 before a
    decision), with its ledger receipt."""
    filing = visible_filing(session, caller, filing_id)
    form, _ = licence_form(session, filing)
    if filing.state != FilingState.DECIDED.value:
        raise Conflict(f"application {filing.reference} is not decided", state=filing.state)
    org = session.get_one(Organization, filing.filer_org_id)
    step = session.scalars(
        select(FilingStep).where(FilingStep.filing_id == filing.id, FilingStep.action == "decide")
    ).one()
    leaf = session.execute(
        select(LedgerEvent.leaf_index, LedgerEvent.leaf_hash).where(
            LedgerEvent.event_id == step.event_id
        )
    ).one()
    receipt = Receipt(step.event_id, leaf.leaf_hash.hex(), leaf.leaf_index)
    return {
        **entry(filing, form, org).model_dump(mode="json"),
        "acknowledgement": filing.acknowledgement,
        "reasons": filing.reasons,
        "decided_by": step.principal_name,
        "receipt": receipt_object(session, receipt, quorum),
    }


def render(decision: Mapping[str, Any]) -> bytes:
    """The decision's PDF (CJK font embedded, receipt.json attached)."""
    pdf = PdfBuilder(TITLE_ZH, TITLE_EN, utcnow())
    pdf.big_badge(OUTCOMES.get(decision["decision"], Badge(decision["decision"], Tone.NEUTRAL)))
    holder = [decision["holder_zh"], decision["holder"]] if decision["holder_zh"] else []
    pdf.key_values(
        [
            ("许可事项 / Licence", [decision["type_zh"], decision["type_en"]]),
            ("申请人 / Applicant", [*(holder or [decision["holder"]])]),
            ("统一社会信用代码 / USCC", decision["uscc"] or NONE),
            ("申请编号 / Reference", decision["reference"]),
            ("受理编号 / Acknowledgement", decision["acknowledgement"] or NONE),
            ("决定日期 / Decided on", decision["decided_on"]),
            ("验证码 / Verification code", decision["verification_code"]),
        ]
    )
    pdf.heading("理由", "Reasons")
    pdf.paragraph(decision["reasons"] or NONE)
    pdf.spacer()
    pdf.paragraph(
        "在公开名录中核验本决定 / Verify this decision in the public register: "
        f"/licences/verify/{decision['verification_code']}",
        small=True,
    )
    _receipt(pdf, decision["receipt"])
    return pdf.build()


def _receipt(pdf: PdfBuilder, receipt: Mapping[str, Any]) -> None:
    pdf.heading("账本回执", "Ledger receipt")
    bundle = receipt.get("bundle")
    size, origin = NONE, NONE
    if bundle:
        checkpoint = parse_checkpoint(parse_note(parse_proof_bundle(bundle).signed_note).text)
        size, origin = str(checkpoint.size), checkpoint.origin
    pdf.key_values(
        [
            ("事件 / Event", str(receipt.get("event_id"))),
            ("叶索引 / Leaf index", str(receipt.get("leaf_index"))),
            ("树大小 / Tree size", size),
            ("叶哈希 / Leaf hash", str(receipt.get("leaf_hash"))),
            ("检查点来源 / Checkpoint origin", origin),
        ]
    )
    how = (
        "附件 receipt.json 可离线验证 / The attached receipt.json verifies offline: "
        "crossfin verify receipt receipt.json --key <log verifier key>"
        if bundle
        else "该事件尚未进入已签名检查点 / The event is not in a signed checkpoint yet: "
        f"fetch its receipt later from /v1/log/receipts/{receipt.get('leaf_index')}."
    )
    pdf.paragraph(how, small=True)
    text = json.dumps(receipt, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    pdf.attach("receipt.json", text.encode("utf-8"))
    if bundle:
        pdf.attach("receipt.tlog-proof", bundle.encode("utf-8"))


def decision_pdf(session: Session, caller: Caller, filing_id: int, quorum: int) -> bytes:
    return render(decision_of(session, caller, filing_id, quorum))
