"""Alerts: findings about a party, filed in its jurisdiction for the regulators over it.

Any floor above parties raises them (documents' mismatch tallies, financing's refusals and
overdue loans, payments next) with `raise_alert`; supervision lists and works them. They
live here, below every domain that raises them, so no domain imports supervision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.clock import utcnow
from crossfin.core.db import Base, UTCDateTime
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.hooks import alert_raised

if TYPE_CHECKING:
    from crossfin.parties.alert_rules import Rule


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
    # The explanation: the records that raised it (JSON list of `Evidence`) and the rule
    # version and parameters that fired (JSON, `alert_rules.Rule.public`).
    records: Mapped[str] = mapped_column(Text, default="[]")
    rule: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The case working it (supervision/casework/): joined or opened as it was raised, or by
    # an analyst later.
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


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
    ABOVE_EXPORTS = "financing-above-exports"
    MONTHLY_VOLUME = "monthly-volume-spike"
    LTV_ABOVE_THRESHOLD = "loan-to-value-above-threshold"


EvidenceType = Literal[
    "financing",
    "payment",
    "offshore_check",
    "document",
    "attempt",
    "verification",
    "event",
    "alert",
]


class Evidence(TypedDict):
    """One record that raised an alert; the portal links it to the record's page."""

    type: EvidenceType
    id: int | str
    label: str


def evidence(kind: EvidenceType, ident: int | str, label: str) -> Evidence:
    return {"type": kind, "id": ident, "label": label}


def raise_alert(
    uow: UnitOfWork,
    kind: AlertKind,
    *,
    subject_org_id: int | None,
    jurisdiction_path: str | None,
    details: dict[str, Any],
    actor_org_id: int | None = None,
    document_id: int | None = None,
    records: Sequence[Evidence] = (),
    rule: Rule | None = None,
) -> tuple[Alert, Receipt] | None:
    """Store an alert and its ledger event in the caller's transaction, if its rule for
    the jurisdiction is enabled (None when it is not), and let supervision file it in the
    firm's case, in the same transaction (`hooks.on_alert_raised`).

    `records` explain it (a document given alone is listed); `rule` is the one the caller
    already looked up for its thresholds, else the rule is read here.
    """
    # Imported here: alert_rules and the statistics' refusals name the kinds of this module.
    from crossfin.parties.alert_rules import rule_for
    from crossfin.parties.stats import upkeep as stats
    from crossfin.parties.stats.refusals import contribution as refused

    rule = rule or rule_for(uow.session, kind, jurisdiction_path)
    if not rule.enabled:
        return None
    listed = list(records)
    if not listed and document_id is not None:
        listed = [evidence("document", document_id, _document_label(details, document_id))]
    alert = Alert(
        kind=kind.value,
        subject_org_id=subject_org_id,
        actor_org_id=actor_org_id,
        document_id=document_id,
        jurisdiction_path=jurisdiction_path,
        details=json.dumps(details, sort_keys=True, default=str),
        status="open",
        created_at=utcnow(),
        records=json.dumps(listed, sort_keys=True, default=str),
        rule=json.dumps(rule.public(), sort_keys=True),
    )
    uow.session.add(alert)
    uow.session.flush()
    stats.add(uow.session, refused(alert))
    parties = {p for p in (subject_org_id,) if p is not None}
    receipt = uow.record(
        EventType.ALERT_RAISED,
        subjects={"alert": alert.id},
        content={
            "kind": kind.value,
            "details": details,
            "document": document_id,
            "records": listed,
            "rule": rule.public(),
        },
        parties=parties,
    )
    alert_raised(uow, alert, rule)  # supervision files it in the firm's case (assembly)
    return alert, receipt


def _document_label(details: dict[str, Any], document_id: int) -> str:
    """`customs_declaration 5300...` when the details name it, else the document's id."""
    named = details.get("document")
    if isinstance(named, dict) and "kind" in named and "key" in named:
        return f"{named['kind']} {named['key']}"
    if "kind" in details and "key" in details:
        return f"{details['kind']} {details['key']}"
    return f"document {document_id}"
