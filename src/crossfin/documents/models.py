"""Authoritative documents and their versions: the shared core of the registry.

A document is keyed by (kind, key) and never edited in place: each amendment adds a
DocumentVersion, and `Document` points at the newest one. Its value (in integer minor
units of its currency) is the basis of the one cross-bank balance (balance.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    source_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The enterprise the document belongs to, by USCC; linked to its organization when
    # that enterprise is registered (documents may arrive before the firm onboards).
    owner_uscc: Mapped[str] = mapped_column(String(18), index=True)
    owner_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), nullable=True, index=True
    )
    # The owner's jurisdiction path, copied for regulators' subtree filters.
    jurisdiction_path: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    value_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Bills of lading and warehouse receipts back one financing at a time.
    single_use: Mapped[bool] = mapped_column(Boolean, default=False)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (UniqueConstraint("kind", "key", name="uq_documents_kind_key"),)


class DocumentVersion(Base):
    __tablename__ = "document_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # Canonical JSON (RFC 8785) of the validated, normalised fields.
    content: Mapped[str] = mapped_column(Text)
    # SHA-256 of the RFC 8785 form of the record exactly as the source sent it.
    record_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    value_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("document_id", "version", name="uq_document_versions_doc_version"),
    )


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


class FxRate(Base):
    """A configured daily rate: 1 unit of `base` is worth `rate` units of `quote`."""

    __tablename__ = "fx_rates"

    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    base: Mapped[str] = mapped_column(String(3), primary_key=True)
    quote: Mapped[str] = mapped_column(String(3), primary_key=True)
    # Exact decimal text: SQLite would store a Numeric as a float.
    rate: Mapped[str] = mapped_column(String(40))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DocumentRef(Base):
    """What a document's current version refers to (the values of its kind's `ref_fields`,
    e.g. a carrier event's B/L numbers and container): an index, so that "the documents
    naming X" is a lookup, not a scan of contents. Derived from the committed content
    (rewritten with each version), so no ledger event commits to it."""

    __tablename__ = "document_refs"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
