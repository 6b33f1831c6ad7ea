"""The demo: a firm with an imported class history, which the Guangdong regulator's admin
reclassifies from the portal."""

from __future__ import annotations

from sqlalchemy import select

from crossfin.demo.classes import REGULATOR_USER, history_firm_uscc
from crossfin.demo.dataset import demo_password
from crossfin.demo.loader import load_demo
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.classes.history import class_on, history_of
from crossfin.parties.models import Organization
from support.classes import TODAY
from support.parties import TEST_ACTOR
from support.web import csrf_from, login


def test_demo_history_and_the_regulator_reclassifies(client, db):  # type: ignore[no-untyped-def]
    with UnitOfWork(db, TEST_ACTOR) as uow:
        assert load_demo(uow).classes_added == 2
        uow.commit()
    with UnitOfWork(db, TEST_ACTOR) as uow:
        assert load_demo(uow).classes_added == 0  # the same files: their first reports
        uow.commit()
    year = TODAY.year
    with db.session(readonly=True) as session:
        firm = session.scalars(
            select(Organization).where(Organization.uscc == history_firm_uscc())
        ).one()
        rows = history_of(session, firm.id)
        assert [(r.trade_class, r.period, r.source[:7]) for r in rows] == [
            ("A", str(year - 1), "import:"),
            ("B", str(year - 2), "import:"),
            ("A", None, "onboard"),
        ]
        assert class_on(session, firm.id, TODAY.replace(year=year - 1, month=6)) == "B"
    assert login(client, REGULATOR_USER, demo_password(REGULATOR_USER)).status_code == 303
    token = csrf_from(client.get("/").text)
    assert "/classes" in client.get("/").text
    page = client.get(f"/classes/{firm.id}").text
    assert 'data-test="classify-form"' in page and page.count('data-test="history-row"') == 3
    done = client.post(
        f"/classes/{firm.id}",
        data={"csrf_token": token, "trade_class": "B", "reason": "demo: late receipts"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert client.get(f"/classes/{firm.id}").text.count('data-test="history-row"') == 4
