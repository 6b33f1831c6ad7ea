"""The use cases of notifications: notify (any domain, in its own transaction), the inbox
of a principal, and marking a notice read.

A principal sees the notices addressed to it and its organization's org-wide notices
(`principal_id` None), nothing else; anything else answers 404, as if it did not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import FieldError, NotFound, ValidationFailed
from crossfin.parties.access import Caller
from crossfin.parties.models import Principal
from crossfin.parties.notifications.compose import mail_body, mail_subject
from crossfin.parties.notifications.models import (
    MailState,
    Notification,
    NotificationMail,
    NotificationRead,
)

KIND = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,63}$")
SUBJECT_MAX = 200
BODY_MAX = 8000
LINK_MAX = 300


@dataclass(frozen=True)
class Bilingual:
    """A text in Chinese and in English: every notice carries both."""

    zh: str
    en: str


@dataclass(frozen=True)
class InboxItem:
    notification: Notification
    read_at: datetime | None


def notify(
    session: Session,
    *,
    org_id: int,
    principal_id: int | None = None,
    kind: str,
    subject: Bilingual,
    body: Bilingual,
    link: str | None,
) -> Notification:
    """Write a notice to `org_id` (one principal of it, or all when None) and queue one
    mail per recipient with an address, in the caller's transaction: never commits, so a
    rolled-back change notifies nobody. 422 for a bad kind, text or link; 404 for a
    principal that is not in `org_id`."""
    _check(kind, subject, body, link)
    recipients = _recipients(session, org_id, principal_id)
    now = utcnow()
    notice = Notification(
        org_id=org_id,
        principal_id=principal_id,
        kind=kind,
        subject_zh=subject.zh,
        subject_en=subject.en,
        body_zh=body.zh,
        body_en=body.en,
        link=link,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    for recipient in recipients:
        session.add(
            NotificationMail(
                notification_id=notice.id,
                principal_id=recipient.id,
                to_address=recipient.email,
                subject=mail_subject(subject.zh, subject.en),
                body=mail_body(body.zh, body.en),
                state=MailState.QUEUED.value,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.flush()
    return notice


def _check(kind: str, subject: Bilingual, body: Bilingual, link: str | None) -> None:
    errors: list[FieldError] = []
    if not KIND.match(kind):
        errors.append(FieldError("kind", "a code of a-z, 0-9, '.', '_', ':' or '-' (<= 64)"))
    for name, text, limit in (
        ("subject.zh", subject.zh, SUBJECT_MAX),
        ("subject.en", subject.en, SUBJECT_MAX),
        ("body.zh", body.zh, BODY_MAX),
        ("body.en", body.en, BODY_MAX),
    ):
        if not text.strip() or len(text) > limit:
            errors.append(FieldError(name, f"between 1 and {limit} characters"))
        elif name.startswith("subject") and ("\n" in text or "\r" in text):
            errors.append(FieldError(name, "one line: a subject holds no line break"))
    if link is not None and (
        not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX
    ):
        errors.append(FieldError("link", "a portal path starting with one '/'"))
    if errors:
        raise ValidationFailed(errors)


def _recipients(session: Session, org_id: int, principal_id: int | None) -> list[Principal]:
    """The active principals of the notice who have an address (all of `org_id`'s for an
    org-wide notice)."""
    if principal_id is not None:
        target = session.get(Principal, principal_id)
        if target is None or target.org_id != org_id:
            raise NotFound(f"no principal {principal_id} in organization {org_id}")
    query = select(Principal).where(
        Principal.org_id == org_id,
        Principal.active.is_(True),
        Principal.email.is_not(None),
    )
    if principal_id is not None:
        query = query.where(Principal.id == principal_id)
    return list(session.scalars(query.order_by(Principal.id)))


def _addressed_to(caller: Caller) -> ColumnElement[bool]:
    return and_(
        Notification.org_id == caller.org_id,
        or_(Notification.principal_id.is_(None), Notification.principal_id == caller.principal_id),
    )


def inbox(
    session: Session,
    caller: Caller,
    *,
    unread_only: bool = False,
    before: int | None = None,
    limit: int = 50,
) -> list[InboxItem]:
    """The caller's notices, newest first (`before`: ids below it, for the next page)."""
    read = NotificationRead
    query = (
        select(Notification, read.read_at)
        .outerjoin(
            read,
            and_(read.notification_id == Notification.id, read.principal_id == caller.principal_id),
        )
        .where(_addressed_to(caller))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(read.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.id < before)
    return [InboxItem(n, at) for n, at in session.execute(query).all()]


def unread_count(session: Session, caller: Caller) -> int:
    """How many of the caller's notices it has not read (the portal's header shows it)."""
    read = NotificationRead
    query = (
        select(func.count(Notification.id))
        .outerjoin(
            read,
            and_(read.notification_id == Notification.id, read.principal_id == caller.principal_id),
        )
        .where(_addressed_to(caller), read.read_at.is_(None))
    )
    return session.scalar(query) or 0


def mark_read(session: Session, caller: Caller, notification_id: int) -> InboxItem:
    """Mark one of the caller's notices read by the caller (again: keeps the first time).

    Reading is the reader's own state, not a business fact: no ledger event."""
    notice = session.scalar(
        select(Notification).where(Notification.id == notification_id, _addressed_to(caller))
    )
    if notice is None:
        raise NotFound(f"no notification {notification_id}")
    mark = session.get(NotificationRead, (notice.id, caller.principal_id))
    if mark is None:
        mark = NotificationRead(
            notification_id=notice.id, principal_id=caller.principal_id, read_at=utcnow()
        )
        session.add(mark)
        session.flush()
    return InboxItem(notice, mark.read_at)
