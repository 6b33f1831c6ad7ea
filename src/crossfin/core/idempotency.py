"""Idempotency-Key records: a retried POST gets the original answer, never a second effect."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, LargeBinary, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from crossfin.core.clock import utcnow
from crossfin.core.db import Base, UTCDateTime
from crossfin.core.errors import IdempotencyConflict, invalid


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """What "the same request" means: method, path with query, and the exact body."""
    digest = hashlib.sha256()
    for part in (method.encode(), b"\0", path.encode(), b"\0", body):
        digest.update(part)
    return digest.hexdigest()


def check_key(key: str) -> str:
    """Validate an Idempotency-Key header value (1-200 printable ASCII characters)."""
    if not 0 < len(key) <= 200 or not key.isascii() or not key.isprintable():
        raise invalid("Idempotency-Key", "must be 1 to 200 printable ASCII characters")
    return key


def find(session: Session, org_id: int, key: str, fingerprint: str) -> StoredResponse | None:
    """The stored answer for this key, or None; a different request under it is a conflict."""
    row = session.get(IdempotencyRecord, (org_id, key))
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyConflict("this Idempotency-Key was used with a different request", key=key)
    return StoredResponse(row.status, row.body)


def remember(
    session: Session, org_id: int, key: str, fingerprint: str, status: int, body: bytes
) -> None:
    """Store the answer in the same transaction as the change it describes."""
    session.add(
        IdempotencyRecord(
            org_id=org_id,
            key=key,
            fingerprint=fingerprint,
            status=status,
            body=body,
            created_at=utcnow(),
        )
    )


def purge(session: Session, keep_hours: int) -> int:
    """Delete records older than the retention window; returns how many went."""
    cutoff = utcnow() - timedelta(hours=keep_hours)
    result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for DML


__all__ = [
    "IdempotencyRecord",
    "StoredResponse",
    "check_key",
    "find",
    "purge",
    "remember",
    "request_fingerprint",
]
