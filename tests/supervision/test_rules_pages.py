"""The alert rules' portal page: a regulator sees the rules of its subtree and sets a new
version for its own jurisdiction through `set_rule`, with CSRF and errors by field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import AlertRuleVersion, rule_for, set_rule
from crossfin.parties.alerts import AlertKind
from crossfin.parties.models import OrgKind, Role
from support.parties import TEST_ACTOR, make_party
from support.web import add_user, csrf_from, login

SHENZHEN_PATH = "/000000/440000/440300/440305/"


def _versions(db: Database) -> int:
    with db.session(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(AlertRuleVersion)) or 0


def _login(client: TestClient, db: Database, place: str, role: Role = Role.ADMIN) -> str:
    client.cookies.clear()
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction=place)
    login(client, add_user(db, regulator.org_id, role, username=f"reg-{place}-{role.value}"))
    return csrf_from(client.get("/alert-rules").text)


def _form(token: str, **fields: str) -> dict[str, str]:
    base = {
        "csrf_token": token,
        "kind": "document-tried-at-many-banks",
        "scope": "440000",
        "enabled": "on",
        "opens_case": "on",
        "banks": "4",
        "window_days": "30",
        "reason": "Guangdong pilot: four banks",
    }
    return base | fields


def test_a_province_sets_its_own_rule(client: TestClient, db: Database) -> None:
    token = _login(client, db, "440000")
    done = client.post("/alert-rules", data=_form(token), follow_redirects=False)
    assert done.status_code == 303, done.text
    with db.session(readonly=True) as session:
        rule = rule_for(session, AlertKind.MANY_BANKS, SHENZHEN_PATH)
        events = session.scalar(
            select(func.count()).where(LedgerEvent.type == "supervision:alert-rule:set")
        )
    assert (rule.scope, rule.version, rule.params["banks"], rule.opens_case) == (
        "440000",
        1,
        4,
        True,
    )
    assert rule.changed_by_name == "reg-440000-admin" and events == 1
    page = client.get("/alert-rules").text
    row = re.search(r'data-test="version-440000">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "Guangdong pilot: four banks" in row.group(1) and "reg-440000-admin" in row.group(1)
    # Unticked, the box turns the rule off and its alerts stop opening cases.
    form = _form(token, reason="off for now")
    del form["enabled"], form["opens_case"]
    assert client.post("/alert-rules", data=form, follow_redirects=False).status_code == 303
    with db.session(readonly=True) as session:
        off = rule_for(session, AlertKind.MANY_BANKS, SHENZHEN_PATH)
    assert (off.version, off.enabled, off.opens_case) == (2, False, False)


def test_errors_are_shown_by_field_and_change_nothing(client: TestClient, db: Database) -> None:
    token = _login(client, db, "440000")
    bad = client.post("/alert-rules", data=_form(token, banks="1", window_days="x", reason=" "))
    assert bad.status_code == 422
    for field in ("params.banks", "params.window_days", "reason"):
        assert f'data-test="error-{field}"' in bad.text, field
    assert 'value="x"' in bad.text  # what was typed comes back
    assert _versions(db) == 0


def test_above_or_beside_its_subtree_is_refused(client: TestClient, db: Database) -> None:
    token = _login(client, db, "440000")
    for scope in ("000000", "310000"):
        refused = client.post("/alert-rules", data=_form(token, scope=scope))
        assert refused.status_code == 403, scope
    assert _versions(db) == 0
    no_csrf = client.post("/alert-rules", data=_form("forged"))
    assert no_csrf.status_code == 403 and _versions(db) == 0


def test_who_sees_and_who_edits(client: TestClient, db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        for scope in ("440300", "310000"):
            set_rule(
                uow,
                None,
                AlertKind.MANY_BANKS,
                scope,
                enabled=True,
                params={"banks": 2},
                reason=f"pilot {scope}",
            )
        uow.commit()
    _login(client, db, "440000")
    page = client.get("/alert-rules").text
    assert "pilot 440300" in page and "pilot 310000" not in page  # its subtree, not a sibling's
    assert page.count('data-test="form-') == len(AlertKind)
    _login(client, db, "440000", Role.OPERATOR)  # reads, never sets (admins and approvers do)
    page = client.get("/alert-rules").text
    assert "pilot 440300" in page and 'data-test="form-' not in page
    client.cookies.clear()
    bank = make_party(db, OrgKind.BANK)
    login(client, add_user(db, bank.org_id))
    assert client.get("/alert-rules").status_code == 403


def test_the_page_speaks_chinese(client: TestClient, db: Database) -> None:
    _login(client, db, "440000")
    page = client.get("/alert-rules", headers={"Accept-Language": "zh-CN"}).text
    assert "预警规则" in page and "开立案件" in page
