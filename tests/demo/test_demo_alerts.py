"""The demo's alerts and cases: real refused attempts, a loan the real overdue sweep flags,
cases opened as alerts were raised, one of them assigned and investigated; once."""

from __future__ import annotations

import json

from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.alerts import OVERDUE_REF
from crossfin.demo.loader import load_demo
from crossfin.financing.models import Financing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.parties.credentials import caller_for
from crossfin.parties.models import Principal
from crossfin.supervision.alerts import list_alerts
from crossfin.supervision.models import AlertCase, CaseStep
from support.parties import TEST_ACTOR


def test_demo_alerts_overdue_loan_and_cases(db: Database, settings: Settings) -> None:
    added = []
    for _ in range(2):
        with UnitOfWork(db, TEST_ACTOR) as uow:
            added.append(load_demo(uow, settings.data_dir).alerts_added)
            uow.commit()
    assert added[0] >= 6 and added[1] == 0  # 3 refusals, many banks, P2, overdue; once
    with db.session(readonly=True) as session:
        loan = session.scalars(select(Financing).where(Financing.external_ref == OVERDUE_REF)).one()
        assert (loan.state, loan.overdue) == ("disbursed", True)
        gd = session.scalars(select(Principal).where(Principal.username == "safe-gd.admin")).one()
        seen = list_alerts(session, caller_for(session, gd), limit=500)
        [overdue] = [a for a in seen if a.kind == AlertKind.OVERDUE.value]
        assert json.loads(overdue.details)["financing"] == loan.id
        assert f'"id": {loan.id}' in overdue.records  # the loan explains it
        auto = session.scalars(
            select(CaseStep.case_id).where(
                CaseStep.action == "open", CaseStep.principal_id.is_(None)
            )
        ).all()
        assert auto, "no case opened as an alert was raised"
        many = session.scalars(
            select(Alert).where(Alert.kind == "document-tried-at-many-banks")
        ).one()
        case = session.get_one(AlertCase, many.case_id)
        assert case.id in auto and case.state == "investigating"
        assert case.assignee_principal_id is not None
        joined = session.scalars(select(Alert.kind).where(Alert.case_id == case.id)).all()
        assert sorted(set(joined)) == ["document-tried-at-many-banks", "over-financing"]
