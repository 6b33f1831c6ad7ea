"""A P4 check as its authenticity report: the JSON the API answers, the HTML page shows and
the PDF renders (the shape is a contract: docs/payments.md, "The report").

`report_digest` (SHA-256 of the report's RFC 8785 form without its receipt) is stored with
the check and carried in its ledger event, so a report printed later proves it is the one
the log recorded.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.canonical import jcs
from crossfin.core.money import format_amount
from crossfin.ledger.journal import Receipt
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.service import receipt_object
from crossfin.parties.models import Organization
from crossfin.payments.offshore.models import OffshoreCheck
from crossfin.payments.offshore.report_pdf import render_report_pdf

ROLES = {
    "bill_of_lading": "transport document",
    "overseas_customs_declaration": "overseas customs declaration",
    "transport_event": "carrier event",
}


def build(check: OffshoreCheck, bank: Organization, enterprise: Organization) -> dict[str, Any]:
    """The report of `check`, without its receipt."""
    endorsed = check.outcome == "passed"
    documents = [
        {"kind": "bill_of_lading", "key": check.bl_key, "endorsed": endorsed},
        {
            "kind": "overseas_customs_declaration",
            "key": check.declaration_key,
            "endorsed": endorsed,
        },
    ] + [
        {"kind": "transport_event", "key": key, "endorsed": False}
        for key in json.loads(check.event_keys)
    ]
    return {
        "check_id": check.id,
        "external_ref": check.external_ref,
        "outcome": check.outcome,
        "created_at": check.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "bank": {"name": bank.name, "uscc": bank.uscc},
        "enterprise": {
            "name": enterprise.name,
            "name_zh": enterprise.name_zh,
            "uscc": enterprise.uscc,
        },
        "trade_class": check.trade_class,
        "treatment": check.treatment,
        "contract": {
            "number": check.contract_no,
            "amount": format_amount(check.amount_minor, check.currency),
            "currency": check.currency,
            "buyer": {"name": check.buyer_name, "country": check.buyer_country},
            "seller": {"name": check.seller_name, "country": check.seller_country},
        },
        "documents": [d | {"role": ROLES[d["kind"]]} for d in documents],
        "containers": json.loads(check.containers),
        "goods": json.loads(check.goods),
        "tolerance_version": check.tolerance_version,
        "comparisons": json.loads(check.comparisons),
    }


def digest(report: dict[str, Any]) -> str:
    return hashlib.sha256(jcs({k: v for k, v in report.items() if k != "receipt"})).hexdigest()


def receipt_of(session: Session, event_id: str) -> Receipt:
    """The receipt of a recorded event, as the state-changing answer carried it."""
    row = session.execute(
        select(LedgerEvent.leaf_index, LedgerEvent.leaf_hash).where(
            LedgerEvent.event_id == event_id
        )
    ).one()
    return Receipt(event_id, row.leaf_hash.hex(), row.leaf_index)


def full(session: Session, check: OffshoreCheck, quorum: int) -> dict[str, Any]:
    """The report of a stored check with its ledger receipt, which carries its tlog-proof
    `bundle` once a checkpoint with `quorum` cosignatures covers it, so the report (and its
    PDF's attached receipt.json) verifies offline with `crossfin verify receipt`."""
    bank = session.get(Organization, check.bank_org_id)
    enterprise = session.get(Organization, check.enterprise_org_id)
    assert bank is not None and enterprise is not None
    receipt = receipt_object(session, receipt_of(session, check.event_id), quorum)
    return build(check, bank, enterprise) | {"receipt": receipt}


def pdf(session: Session, check: OffshoreCheck, quorum: int) -> bytes:
    """The report as a PDF (CJK font embedded, the receipt attached): API and portal."""
    return render_report_pdf(full(session, check, quorum))
