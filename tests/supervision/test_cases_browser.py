"""In a real browser: a regulator opens a case from an alert, assigns it, notes, closes it."""

from __future__ import annotations

from typing import Any

from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.parties.models import Organization, OrgKind, Role
from support.browser import BROWSER_MARKS, browser_page, live_server, screenshot  # noqa: F401
from support.parties import make_party
from support.web import add_user, browser_login

pytestmark = BROWSER_MARKS


def test_a_regulator_works_a_case(browser_page: Any, live_server: str, db: Database) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, live_server
    firm = make_party(db, OrgKind.ENTERPRISE, jurisdiction="440305")
    with UnitOfWork(db, Actor(None, None, "test")) as uow:
        org = uow.session.get_one(Organization, firm.org_id)
        raised = raise_alert(  # a kind that opens no case by itself: the analyst does
            uow,
            AlertKind.OVERDUE,
            subject_org_id=org.id,
            jurisdiction_path=org.jurisdiction_path,
            details={"remaining": "10.00"},
            document_id=None,
            records=[evidence("attempt", "LN-1", "F1 LN-1")],
        )
        assert raised is not None
        alert_id = raised[0].id
        uow.commit()
    regulator = make_party(db, OrgKind.REGULATOR, jurisdiction="440000")
    username = add_user(db, regulator.org_id, Role.ADMIN, username="gd-analyst")
    browser_login(page, base, username)

    page.goto(base + "/alerts")
    page.click(f"[data-test=alert-{alert_id}]")
    expect(page.locator("[data-test=evidence]")).to_contain_text("F1 LN-1")
    expect(page.locator("[data-test=rule]")).to_contain_text("version 0")
    page.click("[data-test=open-case] button")
    expect(page.locator("[data-test=case-state]")).to_have_text("Open")

    page.select_option("[data-test=assign] select", label="gd-analyst")
    page.click("[data-test=assign] button")
    expect(page.locator("[data-test=assignee]")).to_have_text("gd-analyst")

    page.fill("[data-test=note] textarea", "Asked the bank for the loan file.")
    page.click("[data-test=note] button")
    expect(page.locator("[data-test=step-note]")).to_contain_text("Asked the bank")

    page.select_option("[data-test=transition] select[name=to]", "closed")
    page.click("[data-test=transition] button")  # no outcome: refused, nothing changed
    expect(page.locator("[data-test=problem]")).to_contain_text("outcome")
    page.select_option("[data-test=transition] select[name=to]", "closed")
    page.select_option("[data-test=transition] select[name=outcome]", "referred")
    page.click("[data-test=transition] button")
    expect(page.locator("[data-test=case-state]")).to_have_text("Closed")
    expect(page.locator("[data-test=case-outcome]")).to_have_text("Referred")
    screenshot(page, "case-closed")

    page.click("[data-test=lang-zh]")
    expect(page.locator("[data-test=case-state]")).to_have_text("已结案")
    expect(page.locator("[data-test=case-outcome]")).to_have_text("已移送")
    # The one refusal above answered 422 on purpose; nothing else went wrong.
    assert [p for p in page.problems if "422" not in p] == []
