"""P4 tables: a check, the documents it endorsed, and the versioned tolerances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class OffshoreCheck(Base):
    """One background check a bank ran for an enterprise's offshore trade, and its answer."""

    __tablename__ = "offshore_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    enterprise_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The enterprise's seat, copied for regulators' subtree filters.
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    external_ref: Mapped[str] = mapped_column(String(64))
    trade_class: Mapped[str] = mapped_column(String(1))
    treatment: Mapped[str] = mapped_column(String(16))
    contract_no: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_country: Mapped[str] = mapped_column(String(2))
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_country: Mapped[str] = mapped_column(String(2))
    bl_key: Mapped[str] = mapped_column(String(64), index=True)
    declaration_key: Mapped[str] = mapped_column(String(64))
    # JSON: the container numbers as the bank gave them (normalised), the goods it claimed.
    containers: Mapped[str] = mapped_column(Text)
    goods: Mapped[str] = mapped_column(Text)
    # JSON: the keys of the carrier's transport events the comparisons read (evidence).
    event_keys: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(8), index=True)
    # JSON list of comparisons (docs/payments.md, "The report") and the tolerances' version.
    comparisons: Mapped[str] = mapped_column(Text)
    tolerance_version: Mapped[int] = mapped_column(Integer)
    # The ledger event that recorded the check, and SHA-256 (hex) of its report's content.
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    report_digest: Mapped[str] = mapped_column(String(64))
    maker_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (
        UniqueConstraint("bank_org_id", "external_ref", name="uq_offshore_checks_bank_ref"),
    )


class OffshoreCheckUse(Base):
    """A document a passed check endorsed (签注): used whole on its one balance."""

    __tablename__ = "offshore_check_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("offshore_checks.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    used_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class OffshoreToleranceVersion(Base):
    """One version of P4's tolerances (JSON: name -> integer), newest applies."""

    __tablename__ = "offshore_tolerance_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(500))
    changed_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
