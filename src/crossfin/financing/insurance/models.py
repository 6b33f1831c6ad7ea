"""A claim paid by the insurer on a policy that backs a financing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class InsuranceClaim(Base):
    __tablename__ = "insurance_claims"
    # One claim reference per financing: the same claim recorded twice is a conflict.
    __table_args__ = (
        UniqueConstraint(
            "financing_id", "reference", name="uq_insurance_claims_financing_id_reference"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financing_id: Mapped[int] = mapped_column(ForeignKey("financings.id"), index=True)
    policy_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    insurer_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    # The bank the proceeds are assigned to: the financing's bank.
    assignee_bank_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    reference: Mapped[str] = mapped_column(String(64))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
