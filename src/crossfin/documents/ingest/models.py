"""Tables of the ingestion side: sources' verifier keys, batches and their staged lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class SourceKey(Base):
    """An Ed25519 note verifier key (C2SP vkey) a source signs its batch manifests with."""

    __tablename__ = "source_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[int] = mapped_column(BigInteger)  # the uint32 note key ID
    vkey: Mapped[str] = mapped_column(String(300), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Batch(Base):
    """A signed batch announced by its manifest; lines are staged until it is published."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))  # the batch id the source chose
    kind: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    manifest: Mapped[str] = mapped_column(Text)
    source_key_id: Mapped[int] = mapped_column(ForeignKey("source_keys.id"))
    mode: Mapped[str] = mapped_column(String(8))  # partial | atomic
    # receiving -> complete -> published | rejected (atomic), or refused (root mismatch)
    status: Mapped[str] = mapped_column(String(12), index=True)
    next_line: Mapped[int] = mapped_column(Integer, default=0)
    # Right edge of the RFC 6962 tree over the digests received so far (O(log n) bytes),
    # so the root is checked without reading the staged lines back.
    edge: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    leaf_index: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("source_org_id", "ref", name="uq_batches_org_ref"),)


class BatchLine(Base):
    """One record of a batch: as sent, its digest, and its outcome.

    Kept after publication: it backs the outcome report and each document's proof path
    (its digest is leaf `line` of the tree the source signed).
    """

    __tablename__ = "batch_lines"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("batches.id"), primary_key=True, autoincrement=False
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    record: Mapped[str] = mapped_column(Text)  # RFC 8785 form of the record as sent
    # valid (staged) -> accepted | duplicate | rejected
    outcome: Mapped[str] = mapped_column(String(10))
    errors: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON [{field, reason}]
    key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    value_minor: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)

    __table_args__ = (Index("ix_batch_lines_batch_key", "batch_id", "key"),)
