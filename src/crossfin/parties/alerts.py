"""Alerts: findings about a party, filed in its jurisdiction for the regulators over it.

Any floor above parties raises them (documents' mismatch tallies, financing's refusals and
overdue loans, payments next) with `raise_alert`; supervision lists and works them. They
live here, below every domain that raises them, so no domain imports supervision.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.clock import utcnow
from crossfin.core.db import Base, UTCDateTime
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork


class Alert(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    # The enterprise concerned and the party whose action raised it (e.g. a bank).
    subject_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), nullable=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id"), nullable=True, index=True
    )
    # Where the subject sits, so a regulator reads only its subtree's alerts.
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    details: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AlertKind(StrEnum):
    DUPLICATE_FINANCING = "duplicate-financing"
    OVER_FINANCING = "over-financing"
    VALUE_BELOW_USES = "value-below-uses"
    VERIFICATION_MISMATCHES = "verification-mismatches"
    MANY_BANKS = "document-tried-at-many-banks"
    OVERDUE = "overdue"
    CLASS_NOT_ELIGIBLE = "class-not-eligible"
    INVOICE_ALREADY_USED = "invoice-already-used"
    FILING_OVERPAYMENT = "filing-overpayment"
    PAYMENT_WITHOUT_DOCUMENTS = "payment-without-documents"
    OFFSHORE_CHECK_FAILED = "offshore-check-failed"
    DOCUMENT_ALREADY_ENDORSED = "document-already-endorsed"


def raise_alert(
    uow: UnitOfWork,
    kind: AlertKind,
    *,
    subject_org_id: int | None,
    jurisdiction_path: str | None,
    details: dict[str, Any],
    actor_org_id: int | None = None,
    document_id: int | None = None,
) -> tuple[Alert, Receipt]:
    """Store an alert and its ledger event in the caller's transaction."""
    alert = Alert(
        kind=kind.value,
        subject_org_id=subject_org_id,
        actor_org_id=actor_org_id,
        document_id=document_id,
        jurisdiction_path=jurisdiction_path,
        details=json.dumps(details, sort_keys=True, default=str),
        status="open",
        created_at=utcnow(),
    )
    uow.session.add(alert)
    uow.session.flush()
    parties = {p for p in (subject_org_id,) if p is not None}
    receipt = uow.record(
        EventType.ALERT_RAISED,
        subjects={"alert": alert.id},
        content={"kind": kind.value, "details": details, "document": document_id},
        parties=parties,
    )
    return alert, receipt
