"""The demo's risk reports: four, in several states, linking real demo records, no clear
ID number stored, once; every state commitment still audits."""

from __future__ import annotations

from sqlalchemy import select

from crossfin.assembly import state_views
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.loader import load_demo
from crossfin.filings.models import Filing, FilingVersion
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization
from support.parties import TEST_ACTOR


def test_demo_risk_reports(db: Database, settings: Settings) -> None:
    added = []
    for _ in range(2):
        with UnitOfWork(db, TEST_ACTOR) as uow:
            added.append(load_demo(uow, settings.data_dir).risk_reports_added)
            uow.commit()
    assert added == [4, 0]
    with db.session(readonly=True) as session:
        reports = session.scalars(
            select(Filing).where(Filing.form_code == "RISK-REPORT").order_by(Filing.id)
        ).all()
        assert [r.state for r in reports] == ["drafted", "accepted", "returned", "closed"]
        branch = session.get_one(Organization, reports[0].filer_org_id)
        assert branch.parent_org_id == reports[0].chain_org_id != branch.id
        assert reports[3].outcome == "monitoring" and reports[3].filer_org_id == branch.id
        contents = " ".join(session.scalars(select(FilingVersion.content)))
        assert "11010519491231002X" not in contents and '"id_last4":"002X"' in contents
        assert '"kind":"payment"' in contents and '"kind":"alert"' in contents
    report = audit_state_database(db, StateViews(state_views()))
    assert report.ok, report.as_dict()
