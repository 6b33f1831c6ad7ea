"""The portal inbox: the unread count in the header, the list, marking read, denials."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crossfin.core.db import Database
from crossfin.parties.models import OrgKind, Role
from support.notifications import BODY, SUBJECT, send_notice, user_with_email
from support.parties import make_party
from support.web import csrf_from, login


def _login(client: TestClient, db: Database, org_id: int, role: Role = Role.OPERATOR) -> int:
    principal_id, username = user_with_email(db, org_id, None, role)
    assert login(client, username).status_code == 303
    return principal_id


def test_the_header_counts_unread_and_the_inbox_marks_read(
    db: Database, client: TestClient
) -> None:
    bank = make_party(db, OrgKind.BANK)
    me = _login(client, db, bank.org_id)
    first = send_notice(db, bank.org_id)
    second = send_notice(db, bank.org_id, me, link="/payments")

    home = client.get("/")
    assert 'data-test="unread-count">2<' in home.text
    inbox = client.get("/notifications")
    assert inbox.status_code == 200
    assert f'data-test="notice-{first}"' in inbox.text and SUBJECT.en in inbox.text
    assert BODY.en in inbox.text

    token = csrf_from(inbox.text)
    marked = client.post(
        f"/notifications/{first}/read", data={"csrf_token": token}, follow_redirects=False
    )
    assert marked.status_code == 303 and marked.headers["location"] == "/notifications"
    page = client.get("/notifications").text
    assert 'data-test="unread-count">1<' in page
    assert page.index(f'data-test="notice-{second}"') < page.index('data-test="read"')
    assert page.index('data-test="read"') < page.index(f'data-test="notice-{first}"')

    opened = client.post(
        f"/notifications/{second}/read",
        data={"csrf_token": token, "open_link": "true"},
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"] == "/payments"
    page = client.get("/notifications").text
    assert 'data-test="unread-count"' not in page and 'data-test="no-unread"' in page


def test_chinese_inbox(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    _login(client, db, bank.org_id)
    send_notice(db, bank.org_id)
    client.cookies.set("crossfin_lang", "zh")
    page = client.get("/notifications").text
    assert SUBJECT.zh in page and BODY.zh in page and SUBJECT.en not in page
    assert "通知" in page and "标为已读" in page and "发给本机构" in page


def test_another_orgs_user_and_an_auditor(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    notice = send_notice(db, bank.org_id)
    stranger = make_party(db, OrgKind.BANK)
    _login(client, db, stranger.org_id)
    page = client.get("/notifications")
    assert f'data-test="notice-{notice}"' not in page.text
    token = csrf_from(page.text)
    denied = client.post(f"/notifications/{notice}/read", data={"csrf_token": token})
    assert denied.status_code == 404
    client.cookies.clear()
    _login(client, db, bank.org_id, Role.AUDITOR)
    token = csrf_from(client.get("/notifications").text)
    marked = client.post(
        f"/notifications/{notice}/read", data={"csrf_token": token}, follow_redirects=False
    )
    assert marked.status_code == 303


def test_a_post_without_the_csrf_token_changes_nothing(db: Database, client: TestClient) -> None:
    bank = make_party(db, OrgKind.BANK)
    _login(client, db, bank.org_id)
    notice = send_notice(db, bank.org_id)
    assert client.post(f"/notifications/{notice}/read").status_code == 403
    assert 'data-test="unread-count">1<' in client.get("/").text
