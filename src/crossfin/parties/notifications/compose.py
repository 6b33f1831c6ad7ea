"""The text of a notification's e-mail: both languages in one message (principals carry no
language preference), Chinese first, and the message itself (`email.message`)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from crossfin.core.clock import utcnow

SEPARATOR = "\n\n-- English --\n\n"


def mail_subject(zh: str, en: str) -> str:
    return zh if zh == en else f"{zh} / {en}"


def mail_body(zh: str, en: str) -> str:
    return zh if zh == en else f"{zh}{SEPARATOR}{en}"


def message(
    *, sender: str, to: str, subject: str, body: str, link: str | None, portal_url: str
) -> EmailMessage:
    """A UTF-8 text message; a portal link is made absolute with `portal_url` when set."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject  # the policy encodes non-ASCII headers (RFC 2047)
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=_domain_of(sender))
    text = body
    if link:
        text += f"\n\n{portal_url.rstrip('/')}{link}"
    msg.set_content(text + "\n", charset="utf-8")
    return msg


def _domain_of(sender: str) -> str:
    """The From address's domain, for Message-ID ("Name <a@b.cn>" or "a@b.cn")."""
    _, address = parseaddr(sender)
    return address.rpartition("@")[2] or "crossfin.local"
