"""The one cross-bank balance per document: what its active uses consume."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class DocumentBalance(Base):
    """Active uses of one document key, shared by every bank and scenario.

    Reservations lock this row (SELECT ... FOR UPDATE on PostgreSQL; the write lock on
    SQLite) and check `used_minor + amount <= value` before adding a use.
    """

    __tablename__ = "document_balances"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    used_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    active_uses: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
