"""deliver_pending against a real SMTP server (aiosmtpd): what arrives, refusals retried
with backoff, TLS, login with the password file, and nothing sent without a server."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind
from crossfin.parties.notifications.mail import (
    LEASE,
    claim_due,
    deliver_pending,
    retry_delay,
    retry_given_up,
)
from crossfin.parties.notifications.models import MailState, NotificationMail
from support.notifications import BODY, SUBJECT, send_notice, user_with_email
from support.parties import make_party
from support.smtp import (
    PASSWORD,
    SENDER,
    USERNAME,
    free_port,
    mail_settings,
    password_file,
    smtp_server,
)

# The plain-text test servers ask for AUTH without TLS on purpose (loopback only).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _rows(db: Database) -> list[NotificationMail]:
    with db.session(readonly=True) as session:
        return list(session.scalars(select(NotificationMail).order_by(NotificationMail.id)))


def _queue_one(db: Database, address: str = "clerk@bank.example.cn") -> int:
    bank = make_party(db, OrgKind.BANK)
    user_with_email(db, bank.org_id, address)
    return send_notice(db, bank.org_id)


def test_queued_mail_arrives_with_its_headers_chinese_subject_and_body(
    db: Database, settings: Settings
) -> None:
    _queue_one(db)
    with smtp_server() as server:
        counts = deliver_pending(db, mail_settings(settings, server))
    assert (counts.sent, counts.failed, counts.gave_up) == (1, 0, 0)
    [(mail_from, recipients, msg)] = server.inbox.messages
    assert mail_from == "noreply@crossfin.example.cn"
    assert recipients == ["clerk@bank.example.cn"]
    assert msg["From"] == SENDER and msg["To"] == "clerk@bank.example.cn"
    assert msg["Message-ID"].endswith("@crossfin.example.cn>") and msg["Date"]
    # On the wire the subject is RFC 2047 encoded; decoded it is the Chinese and English.
    assert str(make_header(decode_header(msg["Subject"]))) == f"{SUBJECT.zh} / {SUBJECT.en}"
    assert msg.get_content_charset() == "utf-8"
    body = msg.get_content()
    assert BODY.zh in body and BODY.en in body
    assert "https://crossfin.example.cn/filings/12" in body
    [row] = _rows(db)
    assert row.state == MailState.SENT.value and row.attempts == 1
    assert row.sent_at is not None and row.next_attempt_at is None and row.last_error is None
    # Sent mail is not sent again.
    with smtp_server() as again:
        assert deliver_pending(db, mail_settings(settings, again)).sent == 0
    assert again.inbox.messages == []


def test_a_refusal_leaves_the_mail_failed_with_the_error_and_it_is_retried_later(
    db: Database, settings: Settings
) -> None:
    _queue_one(db)
    now = utcnow()
    with smtp_server() as server:
        config = mail_settings(settings, server)
        server.inbox.refuse_with = "554 5.7.1 message refused by policy"
        counts = deliver_pending(db, config, now=now)
        assert (counts.sent, counts.failed) == (0, 1)
        [row] = _rows(db)
        assert row.state == MailState.FAILED.value and row.attempts == 1
        assert row.last_error is not None and "554" in row.last_error
        assert "refused by policy" in row.last_error
        assert row.next_attempt_at == now + retry_delay(1)
        # Not due yet: nothing is tried.
        assert deliver_pending(db, config, now=now + timedelta(seconds=30)).failed == 0
        assert _rows(db)[0].attempts == 1
        # Due: the server now accepts, and the mail goes out.
        server.inbox.refuse_with = None
        counts = deliver_pending(db, config, now=now + retry_delay(1))
    assert counts.sent == 1
    [row] = _rows(db)
    assert row.state == MailState.SENT.value and row.attempts == 2 and row.last_error is None
    assert len(server.inbox.messages) == 1


def test_backoff_doubles_and_the_sender_gives_up_after_the_last_attempt(
    db: Database, settings: Settings
) -> None:
    _queue_one(db)
    now = utcnow()
    with smtp_server() as server:
        config = mail_settings(settings, server, mail_max_attempts=3)
        server.inbox.refuse_with = "451 4.3.0 try again later"
        delays = []
        for _ in range(3):
            deliver_pending(db, config, now=now)
            row = _rows(db)[0]
            if row.next_attempt_at is not None:
                delays.append(row.next_attempt_at - now)
                now = row.next_attempt_at
    assert delays == [timedelta(minutes=1), timedelta(minutes=2)]
    [row] = _rows(db)
    assert row.state == MailState.FAILED.value and row.attempts == 3
    assert row.next_attempt_at is None  # given up
    # After fixing the server, the operator makes it due again.
    assert retry_given_up(db, now=now) == 1
    with smtp_server() as server:
        assert deliver_pending(db, mail_settings(settings, server), now=now).sent == 1


def test_one_refused_mail_does_not_hold_up_the_others(db: Database, settings: Settings) -> None:
    bank = make_party(db, OrgKind.BANK)
    user_with_email(db, bank.org_id, "gone@bank.example.cn")
    user_with_email(db, bank.org_id, "张三@bank.example.cn")  # a Unicode mailbox: SMTPUTF8
    send_notice(db, bank.org_id)
    with smtp_server() as server:
        server.inbox.refuse_rcpt = {"gone@bank.example.cn"}
        counts = deliver_pending(db, mail_settings(settings, server))
    assert (counts.sent, counts.failed) == (1, 1)
    refused, sent = _rows(db)
    assert "SMTPRecipientsRefused" in (refused.last_error or "")
    assert "no such mailbox" in (refused.last_error or "")
    assert sent.state == MailState.SENT.value
    assert [to for _, to, _ in server.inbox.messages] == [["张三@bank.example.cn"]]


def test_no_server_listening_fails_every_mail_of_the_round(
    db: Database, settings: Settings
) -> None:
    bank = make_party(db, OrgKind.BANK)
    user_with_email(db, bank.org_id, "a@bank.example.cn")
    user_with_email(db, bank.org_id, "b@bank.example.cn")
    send_notice(db, bank.org_id)
    config = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": free_port(),
            "smtp_security": "none",
            "smtp_from": SENDER,
            "smtp_timeout_seconds": 2.0,
        }
    )
    counts = deliver_pending(db, config)
    assert (counts.sent, counts.failed) == (0, 2)
    assert all(
        r.state == MailState.FAILED.value and "ConnectionRefusedError" in (r.last_error or "")
        for r in _rows(db)
    )


def test_a_claimed_mail_is_not_claimed_again_until_its_lease_ends(
    db: Database, settings: Settings
) -> None:
    # What keeps two senders (two API workers) from sending one mail twice, and what makes
    # a mail whose sender died mid-round due again.
    _queue_one(db)
    now = utcnow()
    [claimed] = claim_due(db, now)
    assert claim_due(db, now) == [] and claim_due(db, now + LEASE - timedelta(seconds=1)) == []
    assert [again.id for again in claim_due(db, now + LEASE)] == [claimed.id]
    with smtp_server() as server:
        counts = deliver_pending(db, mail_settings(settings, server), now=now + 2 * LEASE)
    assert counts.sent == 1 and len(server.inbox.messages) == 1


def test_without_smtp_settings_mail_stays_queued(db: Database, settings: Settings) -> None:
    _queue_one(db)
    counts = deliver_pending(db, settings)
    assert (counts.sent, counts.failed) == (0, 0)
    assert _rows(db)[0].state == MailState.QUEUED.value


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_login_with_the_password_file(
    db: Database, settings: Settings, tmp_path: Path, security: str
) -> None:
    _queue_one(db)
    secret = password_file(tmp_path)
    with smtp_server(tls=security, login=True, certs=tmp_path) as server:
        config = mail_settings(
            settings,
            server,
            smtp_security=security,
            smtp_username=USERNAME,
            smtp_password_file=secret,
        )
        assert deliver_pending(db, config).sent == 1
    assert server.inbox.logins == [USERNAME]
    assert len(server.inbox.messages) == 1


def test_an_untrusted_certificate_is_refused(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    _queue_one(db)
    with smtp_server(tls="starttls", certs=tmp_path) as server:
        config = mail_settings(settings, server, smtp_security="starttls", smtp_ca_file=None)
        assert deliver_pending(db, config).failed == 1
    assert "CERTIFICATE_VERIFY_FAILED" in (_rows(db)[0].last_error or "")
    assert server.inbox.messages == []


def test_a_wrong_password_fails_without_the_password_in_the_error_or_the_log(
    db: Database, settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _queue_one(db)
    wrong = tmp_path / "wrong.password"
    wrong.write_text("not-" + PASSWORD, encoding="utf-8")
    wrong.chmod(0o600)
    caplog.set_level(logging.DEBUG)
    with smtp_server(login=True) as server:
        config = mail_settings(settings, server, smtp_username=USERNAME, smtp_password_file=wrong)
        assert deliver_pending(db, config).failed == 1
    error = _rows(db)[0].last_error or ""
    assert "SMTPAuthenticationError" in error and "535" in error
    assert PASSWORD not in error and PASSWORD not in caplog.text
    assert server.inbox.messages == []


def test_a_password_file_others_can_read_is_refused(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    _queue_one(db)
    loose = password_file(tmp_path, mode=0o644)
    with smtp_server(login=True) as server:
        config = mail_settings(settings, server, smtp_username=USERNAME, smtp_password_file=loose)
        assert deliver_pending(db, config).failed == 1
    assert "chmod 600" in (_rows(db)[0].last_error or "")
    assert server.inbox.messages == []
