"""P1 tables: each P1 payment's source of funds, the sample rate (versioned), the samples
drawn from signed checkpoints, their review tasks and the papers banks upload for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class P1Funding(Base):
    """A P1 payment's source of funds and the event that submitted it (its leaf index,
    once sequenced, is what decides in which sample the payment is a candidate)."""

    __tablename__ = "p1_fundings"

    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id"), primary_key=True, autoincrement=False
    )
    source_of_funds: Mapped[str] = mapped_column(String(24))
    event_id: Mapped[str] = mapped_column(String(36), unique=True)


class P1SampleRate(Base):
    """One version of the P1 sample rate, in basis points of 10,000."""

    __tablename__ = "p1_sample_rates"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rate_bp: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class P1Sample(Base):
    """One drawn sample: the signed checkpoint it was seeded from, the rate, the result."""

    __tablename__ = "p1_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_size: Mapped[int] = mapped_column(BigInteger, unique=True)
    checkpoint_note: Mapped[str] = mapped_column(Text)
    rate_bp: Mapped[int] = mapped_column(Integer)
    rate_version: Mapped[int] = mapped_column(Integer)
    # JSON lists of payment ids, ascending.
    candidates: Mapped[str] = mapped_column(Text)
    selected: Mapped[str] = mapped_column(Text)
    drawn_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime())


class P1ReviewTask(Base):
    """A sampled payment to review: open -> papers_uploaded -> reviewed (with an outcome)."""

    __tablename__ = "p1_review_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("p1_samples.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    bank_org_id: Mapped[int] = mapped_column(Integer, index=True)
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reviewed_by_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class P1ReviewPaper(Base):
    """One supporting paper a bank uploaded for a review task, with its SHA-256."""

    __tablename__ = "p1_review_papers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("p1_review_tasks.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("task_id", "name", name="uq_p1_review_papers_task_name"),)
