"""The inbox (notifications and who has read them) and the outbox of e-mail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class MailState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    # Retried at `next_attempt_at`; given up when that is None (attempts exhausted).
    FAILED = "failed"


class Notification(Base):
    """One notice to an organization's principal, or to all of them (`principal_id` None)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    principal_id: Mapped[int | None] = mapped_column(ForeignKey("principals.id"), nullable=True)
    # A stable code ("filings:deadline:reminder") that clients may filter on.
    kind: Mapped[str] = mapped_column(String(64))
    subject_zh: Mapped[str] = mapped_column(String(200))
    subject_en: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    # A portal path ("/filings/12"), never an absolute URL: mail prefixes `portal_url`.
    link: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_notifications_org_principal", "org_id", "principal_id", "id"),
        CheckConstraint("link IS NULL OR link LIKE '/%'", name="link_path"),
    )


class NotificationRead(Base):
    """When one principal read one notification: an org-wide notice is read per user."""

    __tablename__ = "notification_reads"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_notification_reads_principal", "principal_id"),)


class NotificationMail(Base):
    """One e-mail to send: the outbox row `deliver_pending` claims, sends and settles."""

    __tablename__ = "notification_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Due from this time; a claim pushes it ahead (a lease), so two senders never share
    # a row. None once sent or given up.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        CheckConstraint("state IN ('queued','sent','failed')", name="state"),
        Index("ix_notification_mail_due", "state", "next_attempt_at"),
    )
