"""Reading an F8 pledge: the receipt, what repayment covers, the releases, the stock.

Quantities are decimals in the receipt's unit. The pledged quantity is the receipt's
`quantity` in its current version (the warehouse's statement of what it holds); repaying X
of the loan's amount makes X/amount of it releasable, whatever was released already.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.documents.kinds.fields import shortest
from crossfin.documents.models import Document, DocumentVersion
from crossfin.documents.refs import naming
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.warehouse.models import GoodsRelease

SCENARIO = "F8"


@dataclass(frozen=True)
class Pledge:
    """An F8 financing's receipt and the quantities that decide a release."""

    receipt: Document
    content: dict[str, Any]
    pledged: Decimal
    released: Decimal

    @property
    def unit(self) -> str:
        return str(self.content["unit"])

    def releasable(self, financing: Financing) -> Decimal:
        """The pledged quantity times the share of the amount repaid (exact, no rounding)."""
        return self.pledged * Decimal(financing.repaid_minor) / Decimal(financing.amount_minor)


def current_content(session: Session, doc: Document) -> dict[str, Any]:
    text = session.scalar(
        select(DocumentVersion.content).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.version == doc.version
        )
    )
    return dict(json.loads(text or "{}"))


def pledge_of(session: Session, financing: Financing) -> Pledge:
    """The pledge of an F8 financing; 422 naming `scenario` for any other financing."""
    if financing.scenario != SCENARIO:
        raise invalid(
            "scenario", f"financing {financing.id} is {financing.scenario}: no goods are pledged"
        )
    receipt = session.scalars(
        select(Document)
        .join(FinancingUse, FinancingUse.document_id == Document.id)
        .where(FinancingUse.financing_id == financing.id, FinancingUse.role == "pledge")
    ).one()
    content = current_content(session, receipt)
    released = session.scalars(
        select(GoodsRelease.quantity).where(GoodsRelease.financing_id == financing.id)
    ).all()
    return Pledge(
        receipt, content, Decimal(content["quantity"]), sum(map(Decimal, released), Decimal(0))
    )


def stock_on_hand(session: Session, pledge: Pledge) -> Decimal:
    """The receipt's quantity plus the warehouse's movements in, minus its movements out,
    counting only movements of the same owner in the receipt's unit."""
    query = (
        select(DocumentVersion.content)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            Document.kind == "warehouse_movement",
            Document.id.in_(naming([pledge.receipt.key])),
            Document.owner_uscc == pledge.receipt.owner_uscc,
            DocumentVersion.version == Document.version,
        )
    )
    stock = pledge.pledged
    for text in session.scalars(query):
        move = json.loads(text)
        if move["receipt_no"] != pledge.receipt.key or move["unit"] != pledge.unit:
            continue
        sign = 1 if move["direction"] == "in" else -1
        stock += sign * Decimal(move["quantity"])
    return stock


def text(number: Decimal) -> str:
    """A quantity as the kinds write them: plain decimal, no trailing zeros, at most 6
    decimals (a proportional share may not be exact)."""
    return shortest(number.quantize(Decimal("0.000001"), rounding=ROUND_FLOOR))
