"""Payment tables: payments, their uses of documents, the versioned scope and threshold rules."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class Payment(Base):
    """One outward FX payment a bank makes for an enterprise, in one scenario."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    payer_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The payer's seat, copied for regulators' subtree filters.
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    scenario: Mapped[str] = mapped_column(String(8))
    external_ref: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    # The payer's class and the gate's treatment when submitted (docs/payments.md).
    trade_class: Mapped[str] = mapped_column(String(1))
    treatment: Mapped[str] = mapped_column(String(16))
    payee_name: Mapped[str] = mapped_column(String(140))
    payee_country: Mapped[str] = mapped_column(String(2))
    payee_account: Mapped[str | None] = mapped_column(String(34), nullable=True)
    payee_bic: Mapped[str | None] = mapped_column(String(11), nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    usd_minor: Mapped[int] = mapped_column(BigInteger)
    usd_rate: Mapped[str | None] = mapped_column(String(40), nullable=True)
    usd_rate_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    value_date: Mapped[date] = mapped_column(Date)
    purpose_code: Mapped[str] = mapped_column(String(8))
    maker_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approver_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("bank_org_id", "external_ref", name="uq_payments_bank_ref"),)


class PaymentUse(Base):
    """The part of one payment resting on one document, in the document's currency."""

    __tablename__ = "payment_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    # What the document's balance carries for this payment (P3: the whole invoice).
    used_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PaymentScopeVersion(Base):
    """One version of a scenario's scope: the jurisdiction subtrees its payers sit in
    (JSON list of GB/T 2260 codes; empty: everywhere)."""

    __tablename__ = "payment_scope_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int] = mapped_column(Integer)
    codes: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("scenario", "version", name="uq_payment_scope_versions_scenario_version"),
    )


class PaymentThresholdVersion(Base):
    """One version of a scenario's documents threshold: a single payment whose USD
    equivalent is above `usd_minor` needs its documents (P2: a tax filing)."""

    __tablename__ = "payment_threshold_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int] = mapped_column(Integer)
    usd_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    changed_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint(
            "scenario", "version", name="uq_payment_threshold_versions_scenario_version"
        ),
    )
