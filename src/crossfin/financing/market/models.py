"""Matchmaking (F7: needs and offers) and authorized credit queries (F2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class FinancingNeed(Base):
    """An enterprise's published need, visible to the banks serving its jurisdiction."""

    __tablename__ = "financing_needs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    tenor_days: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(500))
    # JSON list of {"kind", "key"}: the documents the enterprise can offer.
    documents: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    accepted_offer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The last day the need takes offers and acceptances (market/expiry.py).
    expires_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FinancingOffer(Base):
    """A bank's offer on a need: amount, rate and tenor."""

    __tablename__ = "financing_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("financing_needs.id"), index=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[str] = mapped_column(String(16))
    tenor_days: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    financing_id: Mapped[int | None] = mapped_column(ForeignKey("financings.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CreditQuery(Base):
    """One authorized credit-profile query: who asked about whom, when, under which consent."""

    __tablename__ = "credit_queries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    enterprise_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    consent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # sha256 of the canonical profile returned, so the answer can be proven later.
    profile_digest: Mapped[str] = mapped_column(String(80))
    queried_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
