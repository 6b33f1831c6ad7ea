"""Factories for notifications: users with addresses, and a notice sent through `notify`."""

from __future__ import annotations

import itertools

from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials
from crossfin.parties.emails import normalize_email
from crossfin.parties.models import PrincipalKind, Role
from crossfin.parties.notifications.models import Notification
from crossfin.parties.notifications.service import Bilingual, notify
from support.web import PASSWORD

_counter = itertools.count(1)
SUBJECT = Bilingual("申报截止提醒 还剩3个工作日", "Filing deadline: 3 working days left")
BODY = Bilingual(
    "2026年11月对外金融资产负债统计将于12月9日截止。",
    "The November 2026 statistics are due on 9 December.",
)


def user_with_email(
    db: Database, org_id: int, email: str | None, role: Role = Role.OPERATOR
) -> tuple[int, str]:
    """A portal user (password support.web.PASSWORD) with `email`: (principal id, username)."""
    name = f"mailee{next(_counter)}"
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        user, _ = credentials.add_principal(
            uow,
            org_id,
            PrincipalKind.USER,
            name,
            role,
            PASSWORD,
            email=normalize_email(email) if email else None,
        )
        uow.commit()
    return user.id, name


def send_notice(
    db: Database,
    org_id: int,
    principal_id: int | None = None,
    *,
    kind: str = "filings:deadline:reminder",
    link: str | None = "/filings/12",
) -> int:
    """One notice through `notify`, committed; its id."""
    with db.session() as session:
        notice: Notification = notify(
            session,
            org_id=org_id,
            principal_id=principal_id,
            kind=kind,
            subject=SUBJECT,
            body=BODY,
            link=link,
        )
        session.commit()
        return notice.id
