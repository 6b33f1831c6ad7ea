"""Tables of security monitoring: events, operator alerts and rate-limit windows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class SecurityEventRow(Base):
    """One security event. Never a secret, a password or a whole key: a key id at most,
    and a principal id only when the principal is known (attempted usernames are not kept)."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # No foreign keys: an event must be recordable whatever it names, and outlive it.
    principal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    route: Mapped[str | None] = mapped_column(String(200), nullable=True)
    detail: Mapped[str] = mapped_column(Text)


class SecurityAlert(Base):
    """An operator alert: events of one kind past its threshold. While it is open, further
    events of that kind are counted into it (`open_kind` is unique), never a new alert."""

    __tablename__ = "security_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    # The kind while open, NULL once acknowledged: at most one open alert per kind.
    open_kind: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    events: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    detail: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    acknowledged_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RateWindow(Base):
    """Requests granted to one API key in one route class in one fixed window, shared by
    every worker (each takes its allowance in blocks: parties/security/ratelimit.py)."""

    __tablename__ = "rate_windows"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    route_class: Mapped[str] = mapped_column(String(24), primary_key=True)
    # The window's start, in seconds since the epoch (a multiple of its length).
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    used: Mapped[int] = mapped_column(Integer)
