"""A release of pledged goods under an F8 financing, ordered by its bank."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class GoodsRelease(Base):
    __tablename__ = "goods_releases"
    # One reference per financing: the same release order sent twice is a conflict.
    __table_args__ = (
        UniqueConstraint(
            "financing_id", "reference", name="uq_goods_releases_financing_id_reference"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financing_id: Mapped[int] = mapped_column(ForeignKey("financings.id"), index=True)
    receipt_document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    reference: Mapped[str] = mapped_column(String(64))
    # Decimal text in the receipt's unit (quantities are decimals, as the kind stores them).
    quantity: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(64))
    # What had been repaid when it was ordered (loan currency, minor units): its warrant.
    repaid_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
