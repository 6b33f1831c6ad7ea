"""One step of a bill of lading's endorsement chain: what was done, to whom, signed how.

Steps are never changed. The holder is not a column anywhere: it is the fold of the steps
(chain.py), so it cannot disagree with them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class EblStep(Base):
    __tablename__ = "ebl_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    # 1 for the issuance; a step names its position, so a signed step cannot be replayed.
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    # The recipient of an issue or endorsement: the new holder.
    to_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True, index=True)
    to_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A platform that is not a crossfin source (a PINT code such as BOLE), if any.
    to_platform: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The crossfin source that keeps the new holder's register (signs its next steps).
    to_source_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True
    )
    pledgee_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    # A bank's release of its F5 financing's pledge names the financing.
    financing_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    origin: Mapped[str] = mapped_column(String(8))  # signed | pint | bank
    # Canonical JSON of the step as signed (or the PINT transaction as relayed).
    body: Mapped[str] = mapped_column(Text)
    # The signed note, or the PINT entry's JWS; None for a bank's authenticated release.
    proof: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # SHA-256 (hex) of the PINT entry's signed content, for the next relay's linkage.
    entry_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_ebl_steps_document_seq"),)
