"""Financing tables: financings and their uses of documents, FX rates.

Matchmaking (needs, offers) and credit queries live in `market_models.py`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class Financing(Base):
    """One financing (loan) a bank registers for an enterprise, in one scenario."""

    __tablename__ = "financings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    enterprise_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # F4: the insurer whose policy the financing rests on, so it can see it.
    insurer_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    scenario: Mapped[str] = mapped_column(String(16))
    external_ref: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    disbursed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    repaid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    rate: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # For the statistics, recorded at registration: the enterprise's class the gate used,
    # and the USD equivalent at the request's or the daily table's rate (None: no rate).
    # Outside the state projection (state.py): events committed before they existed.
    trade_class: Mapped[str] = mapped_column(String(1), server_default="A")
    usd_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    usd_rate: Mapped[str | None] = mapped_column(String(40), nullable=True)
    usd_rate_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # A registered financing's reservation lapses at this moment unless approved.
    reserved_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    maker_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approver_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Commit-ordered change number (see clock.py): the reconciliation cursor.
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (
        UniqueConstraint("bank_org_id", "external_ref", name="uq_financings_bank_ref"),
        Index("ix_financings_state_reserved", "state", "reserved_until"),
    )


class FinancingUse(Base):
    """The part of one financing resting on one document, in the document's currency."""

    __tablename__ = "financing_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financing_id: Mapped[int] = mapped_column(ForeignKey("financings.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    # The share of the loan allocated to this document, in the loan's currency.
    allocated_minor: Mapped[int] = mapped_column(BigInteger)
    # What the document's balance carries for it (converted, rounded up).
    reserved_minor: Mapped[int] = mapped_column(BigInteger)
    released_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # How much of `allocated_minor` repayments have covered so far (loan currency).
    released_alloc_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    # Single-use documents hold one use until the financing ends.
    counts_use: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fx_rate: Mapped[str | None] = mapped_column(String(40), nullable=True)
    fx_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    role: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class FinancingClock(Base):
    """A single counter row, bumped as the last step of every financing change."""

    __tablename__ = "financing_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# Registers the market's tables whenever these are loaded, after them (as when they lived here).
from crossfin.financing.caps import models as caps_models  # noqa: E402, F401
from crossfin.financing.insurance import models as insurance_models  # noqa: E402, F401
from crossfin.financing.market import models as market_models  # noqa: E402, F401
from crossfin.financing.warehouse import models as warehouse_models  # noqa: E402, F401
