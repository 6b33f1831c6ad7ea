"""The class history of enterprises and the record of bulk imports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
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


class EnterpriseClass(Base):
    """One classification of an enterprise, in force from `effective_from` until the next.

    Rows are only ever added. The class on a day is the row with the latest
    `effective_from` on or before it (ties: the later row, a same-day correction).
    """

    __tablename__ = "enterprise_classes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    trade_class: Mapped[str] = mapped_column(String(1))
    effective_from: Mapped[date] = mapped_column(Date)
    # The evaluation the class rests on: a label ("2025") and its dates, when given.
    period: Mapped[str | None] = mapped_column(String(32), nullable=True)
    period_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(String(500))
    # manual | import:<class_imports.id> | onboarding | backfill (the migration's)
    source: Mapped[str] = mapped_column(String(32))
    decided_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_by_principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The ledger event that recorded the row (none for the migration's backfill).
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    __table_args__ = (
        CheckConstraint("trade_class IN ('A','B','C')", name="class"),
        Index("ix_enterprise_classes_org_effective", "org_id", "effective_from", "id"),
    )


class ClassImport(Base):
    """One bulk import of classes: its content's digest (a second upload of the same file
    by the same regulator answers this report again) and its row-by-row report."""

    __tablename__ = "class_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    applied: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("org_id", "digest", name="uq_class_imports_org_digest"),)
