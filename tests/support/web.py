"""Portal test helpers: users with passwords, CSRF tokens from pages, logging in."""

from __future__ import annotations

import itertools
import re

from fastapi.testclient import TestClient

from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials
from crossfin.parties.models import OrgKind, PrincipalKind, Role
from support.parties import make_party

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(
    db: Database,
    org_id: int,
    role: Role = Role.ADMIN,
    username: str | None = None,
    password: str = PASSWORD,
) -> str:
    """Create a portal user with a password in `org_id`; returns the username."""
    name = username or f"user{next(_counter)}"
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        credentials.add_principal(uow, org_id, PrincipalKind.USER, name, role, password)
        uow.commit()
    return name


def party_user(
    db: Database, kind: OrgKind, role: Role = Role.ADMIN, jurisdiction: str | None = None
) -> tuple[int, str]:
    """A new organization of `kind` and a portal user in it: (org id, username)."""
    party = make_party(db, kind, role=role, jurisdiction=jurisdiction)
    return party.org_id, add_user(db, party.org_id, role)


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a rendered page's forms."""
    found = _TOKEN.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the form, as a browser would; returns the response (not followed)."""
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def browser_login(page, base: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Log in through the login form in a Playwright page; ends on the home page."""
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(base + "/")
