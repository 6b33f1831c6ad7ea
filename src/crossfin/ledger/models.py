"""Ledger tables: the head, the sequenced events, every complete subtree hash, checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class LogHead(Base):
    """The single row every append locks: size, root and the compact right edge."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Concatenated hashes of the complete subtrees on the right edge, largest first:
    # enough to append without reading the tree (O(log n) state).
    edge: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Leaf indexes are BIGINT: a larger number cannot name a leaf, and routes refuse it before
# it reaches the database.
MAX_LEAF_INDEX = 2**63 - 1


class LedgerEvent(Base):
    """One sequenced leaf: the private record bytes and their public leaf hash."""

    __tablename__ = "ledger_events"

    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    record: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    actor_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QueuedEvent(Base):
    """An event committed with its business change and waiting for the integrator to give it
    a leaf (PostgreSQL group commit, ledger/integrator.py); the row goes when it has one."""

    __tablename__ = "ledger_queue"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(64))
    record: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    actor_org_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The organizations entitled to read the record, as decimal ids joined by commas.
    parties: Mapped[str] = mapped_column(Text)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LedgerEventParty(Base):
    """An organization entitled to read an event's record (actor and named parties)."""

    __tablename__ = "ledger_event_parties"

    leaf_index: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_events.leaf_index"), primary_key=True
    )
    org_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_ledger_event_parties_org", "org_id", "leaf_index"),)


class TreeHash(Base):
    """The hash of the complete subtree of 2**level leaves starting at leaf idx * 2**level."""

    __tablename__ = "ledger_hashes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkpoint(Base):
    """A signed checkpoint (C2SP signed note) and when it was made."""

    __tablename__ = "ledger_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    cosigners: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Cosignature(Base):
    """One witness's cosignature line on one checkpoint."""

    __tablename__ = "ledger_cosignatures"

    size: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ledger_checkpoints.size"), primary_key=True
    )
    witness: Mapped[str] = mapped_column(String(200), primary_key=True)
    line: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StateLeaf(Base):
    """One leaf of an event's state tree: an entity and the digest of its state then.

    The event's record holds the tree's id, size and root; these rows let the audit name
    the one row that diverges among the many a single event committed to (ledger/state.py).
    """

    __tablename__ = "ledger_state_leaves"

    tree_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(80))
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
