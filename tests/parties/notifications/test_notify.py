"""notify: the notice and one queued mail per recipient with an address, in the caller's
transaction, and nothing at all when the input is refused or the transaction rolls back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.core.errors import NotFound, ValidationFailed
from crossfin.parties.models import OrgKind, Principal, Role
from crossfin.parties.notifications.models import MailState, Notification, NotificationMail
from crossfin.parties.notifications.service import Bilingual, notify
from support.notifications import BODY, SUBJECT, send_notice, user_with_email
from support.parties import make_party


def _mail(db: Database) -> list[NotificationMail]:
    with db.session(readonly=True) as session:
        return list(session.scalars(select(NotificationMail).order_by(NotificationMail.id)))


def _count(db: Database, model: type) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_org_wide_notice_queues_one_mail_per_principal_with_an_address(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    first, _ = user_with_email(db, bank.org_id, "clerk@bank.example.cn")
    second, _ = user_with_email(db, bank.org_id, "Head@Bank.Example.CN")
    user_with_email(db, bank.org_id, None)  # no address: the inbox only
    other = make_party(db, OrgKind.BANK)
    user_with_email(db, other.org_id, "someone@other.example.cn")

    notice_id = send_notice(db, bank.org_id)

    mail = _mail(db)
    assert [(m.principal_id, m.to_address) for m in mail] == [
        (first, "clerk@bank.example.cn"),
        (second, "Head@bank.example.cn"),  # the domain normalised, the local part kept
    ]
    assert {m.notification_id for m in mail} == {notice_id}
    assert all(m.state == MailState.QUEUED.value and m.attempts == 0 for m in mail)
    # Both languages in one mail: principals carry no language preference.
    assert mail[0].subject == f"{SUBJECT.zh} / {SUBJECT.en}"
    assert BODY.zh in mail[0].body and BODY.en in mail[0].body


def test_a_notice_to_one_principal_mails_that_principal_only(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    target, _ = user_with_email(db, bank.org_id, "target@bank.example.cn")
    user_with_email(db, bank.org_id, "colleague@bank.example.cn")
    send_notice(db, bank.org_id, target)
    assert [m.to_address for m in _mail(db)] == ["target@bank.example.cn"]


def test_an_inactive_principal_is_not_mailed(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    gone, _ = user_with_email(db, bank.org_id, "gone@bank.example.cn")
    with db.session() as session:
        session.get_one(Principal, gone).active = False
        session.commit()
    send_notice(db, bank.org_id)
    assert _mail(db) == []
    assert _count(db, Notification) == 1  # the inbox notice is still written


def test_a_rolled_back_transaction_notifies_nobody(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    user_with_email(db, bank.org_id, "clerk@bank.example.cn")
    with db.session() as session:
        notify(
            session,
            org_id=bank.org_id,
            kind="filings:deadline:reminder",
            subject=SUBJECT,
            body=BODY,
            link="/filings/1",
        )
        assert session.scalar(select(func.count()).select_from(NotificationMail)) == 1
        session.rollback()
    assert _count(db, Notification) == 0
    assert _count(db, NotificationMail) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "Filings Reminder"}, "kind"),
        ({"subject": Bilingual("", "x")}, "subject.zh"),
        ({"subject": Bilingual("提醒", "line\nbreak")}, "subject.en"),
        ({"body": Bilingual("正文", "x" * 8001)}, "body.en"),
        ({"link": "https://evil.example.com/"}, "link"),
        ({"link": "//evil.example.com/"}, "link"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    db: Database, change: dict[str, object], field: str
) -> None:
    bank = make_party(db, OrgKind.BANK)
    user_with_email(db, bank.org_id, "clerk@bank.example.cn")
    values: dict[str, object] = {
        "org_id": bank.org_id,
        "kind": "filings:deadline:reminder",
        "subject": SUBJECT,
        "body": BODY,
        "link": "/filings/1",
    } | change
    with db.session() as session, pytest.raises(ValidationFailed) as caught:
        notify(session, **values)  # type: ignore[arg-type]
    assert [e["field"] for e in caught.value.extra["errors"]] == [field]
    assert _count(db, Notification) == 0


def test_a_principal_of_another_org_is_refused(db: Database) -> None:
    bank = make_party(db, OrgKind.BANK)
    other = make_party(db, OrgKind.BANK, role=Role.OPERATOR)
    with db.session() as session, pytest.raises(NotFound):
        notify(
            session,
            org_id=bank.org_id,
            principal_id=other.principal_id,
            kind="x",
            subject=SUBJECT,
            body=BODY,
            link=None,
        )
