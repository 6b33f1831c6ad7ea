"""Sending the outbox through the configured SMTP server (`smtplib`), with retries.

Each round claims due rows in a short transaction (pushing their due time ahead by a
lease, so concurrent senders - every API worker runs one - never share a row), sends them
on one SMTP connection outside any transaction, then settles each row. A sender that dies
mid-round leaves its rows due again after the lease: delivery is at least once.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.secrets import smtp_password
from crossfin.core.settings import Settings
from crossfin.parties.notifications.compose import message
from crossfin.parties.notifications.models import MailState, Notification, NotificationMail

log = logging.getLogger("crossfin.notifications")
LEASE = timedelta(minutes=10)
BATCH = 100
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
ERROR_MAX = 1000
# Refusals of one message: the connection stays usable for the next one. NotSupported: an
# address with a non-ASCII local part to a server without SMTPUTF8.
PER_MESSAGE = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


@dataclass
class DeliveryCounts:
    """What one `deliver_pending` did: sent, failed (to retry) and given up."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0


@dataclass(frozen=True)
class Claimed:
    id: int
    to: str
    subject: str
    body: str
    link: str | None


def configured(settings: Settings) -> bool:
    """Mail is sent only with a server and a From address; otherwise it stays queued."""
    return bool(settings.smtp_host and settings.smtp_from)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the n-th failed attempt, at most six hours."""
    delay: timedelta = FIRST_RETRY * (2 ** (attempts - 1))
    return min(delay, LAST_RETRY)


def deliver_pending(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> DeliveryCounts:
    """Send every mail due at `now` (default: the clock); nothing when SMTP is not set."""
    counts = DeliveryCounts()
    if not configured(settings):
        return counts
    at = now or utcnow()
    while claimed := claim_due(db, at):
        outcomes = _send(settings, claimed)
        _settle(db, settings, outcomes, at, counts)
    if counts.sent or counts.failed or counts.gave_up:
        log.info(
            "notification mail",
            extra={"sent": counts.sent, "failed": counts.failed, "gave_up": counts.gave_up},
        )
    return counts


def claim_due(db: Database, at: datetime) -> list[Claimed]:
    """Take up to BATCH mails due at `at`, leased to this sender until `at` + LEASE."""
    due = (
        select(NotificationMail, Notification.link)
        .join(Notification, Notification.id == NotificationMail.notification_id)
        .where(
            NotificationMail.state.in_([MailState.QUEUED.value, MailState.FAILED.value]),
            NotificationMail.next_attempt_at <= at,
        )
        .order_by(NotificationMail.next_attempt_at, NotificationMail.id)
        .limit(BATCH)
        # PostgreSQL: rows another sender is claiming are skipped, not waited for.
        .with_for_update(of=NotificationMail, skip_locked=True)
    )
    with db.session() as session:
        rows = session.execute(due).all()
        for row, _ in rows:
            row.next_attempt_at = at + LEASE
        session.commit()
    return [Claimed(r.id, r.to_address, r.subject, r.body, link) for r, link in rows]


def _send(settings: Settings, claimed: list[Claimed]) -> dict[int, str | None]:
    """Each claimed mail's outcome: None when the server took it, else the error."""
    outcomes: dict[int, str | None] = {}
    password = None
    try:
        password = smtp_password(settings)
        with _connect(settings) as smtp:
            if settings.smtp_username:
                smtp.login(settings.smtp_username, password or "")
            for mail in claimed:
                outcomes[mail.id] = _send_one(smtp, settings, mail, password)
    except (OSError, smtplib.SMTPException, RuntimeError, UnicodeError) as exc:
        # The connection (or the login, or the password file) failed: every mail not
        # yet settled failed with it. UnicodeError: smtplib logs in with ASCII only.
        error = _describe(exc, password)
        for mail in claimed:
            outcomes.setdefault(mail.id, error)
    return outcomes


def _send_one(
    smtp: smtplib.SMTP, settings: Settings, mail: Claimed, password: str | None
) -> str | None:
    msg = message(
        sender=settings.smtp_from or "",
        to=mail.to,
        subject=mail.subject,
        body=mail.body,
        link=mail.link,
        portal_url=settings.portal_url,
    )
    try:
        smtp.send_message(msg)
    except PER_MESSAGE as exc:
        return _describe(exc, password)
    return None


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port = settings.smtp_host or "", settings.smtp_port
    timeout = settings.smtp_timeout_seconds
    # Certificates and host names are always verified: the system's CAs, or a private one.
    context = ssl.create_default_context(cafile=settings.smtp_ca_file)
    if settings.smtp_security == "tls":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    if settings.smtp_security == "starttls":
        try:
            smtp.starttls(context=context)
        except BaseException:
            smtp.close()
            raise
    return smtp


def _describe(exc: BaseException, password: str | None) -> str:
    """The error as stored and logged; the password never appears, even if echoed."""
    text = f"{type(exc).__name__}: {exc}"
    if password:
        text = text.replace(password, "***")
    return text[:ERROR_MAX]


def _settle(
    db: Database,
    settings: Settings,
    outcomes: dict[int, str | None],
    at: datetime,
    counts: DeliveryCounts,
) -> None:
    with db.session() as session:
        rows = session.scalars(
            select(NotificationMail).where(NotificationMail.id.in_(list(outcomes)))
        )
        for row in rows:
            row.attempts += 1
            error = outcomes[row.id]
            if error is None:
                row.state, row.sent_at = MailState.SENT.value, utcnow()
                row.next_attempt_at, row.last_error = None, None
                counts.sent += 1
                continue
            row.state, row.last_error = MailState.FAILED.value, error
            if row.attempts >= settings.mail_max_attempts:
                row.next_attempt_at = None  # given up: `crossfin notifications send --retry`
                counts.gave_up += 1
            else:
                row.next_attempt_at = at + retry_delay(row.attempts)
                counts.failed += 1
            log.warning("notification mail failed", extra={"mail": row.id, "error": error})
        session.commit()


def retry_given_up(db: Database, *, now: datetime | None = None) -> int:
    """Make every given-up mail due again with fresh attempts (after fixing the server)."""
    with db.session() as session:
        rows = session.scalars(
            select(NotificationMail).where(
                NotificationMail.state == MailState.FAILED.value,
                NotificationMail.next_attempt_at.is_(None),
            )
        ).all()
        for row in rows:
            row.attempts, row.next_attempt_at = 0, now or utcnow()
        session.commit()
    return len(rows)
