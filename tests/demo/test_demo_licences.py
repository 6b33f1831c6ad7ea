"""The demo's licence applications: one at every stage, both clocks inside 2026, the
decisions in the public register, the ledger's state audit passing, loaded once."""

from __future__ import annotations

from sqlalchemy import select

from crossfin.assembly import state_views
from crossfin.core.db import Database
from crossfin.demo.licences import APPLICATIONS, load_licences
from crossfin.demo.loader import load_demo
from crossfin.filings.licences import register
from crossfin.filings.licences.service import licence_view
from crossfin.filings.models import Filing
from crossfin.ledger.state import StateViews
from crossfin.ledger.state_audit import audit_state_database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.credentials import caller_for
from crossfin.parties.models import Principal
from support.parties import TEST_ACTOR


def test_the_demo_has_applications_at_every_stage(db: Database) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        result = load_demo(uow)
        uow.commit()
    assert result.licences_added == len(APPLICATIONS)
    with db.session(readonly=True) as session:
        regulator = session.scalars(select(Principal).where(Principal.username == "safe-sz.admin"))
        caller = caller_for(session, regulator.one())
        filings = session.scalars(select(Filing).where(Filing.form_code.like("LIC-%"))).all()
        states = sorted((f.state, f.outcome or "") for f in filings)
        assert states == [
            ("accepted", ""),
            ("accepted", ""),  # the extended one
            ("closed", "rejected"),
            ("decided", "approved"),
            ("decided", "refused"),
            ("drafted", ""),
            ("returned", ""),
            ("submitted", ""),
            ("withdrawn", ""),
        ]
        extended = next(f for f in filings if f.clock_extension)
        view = licence_view(session, caller, extended.id)
        assert view.review_started is not None and view.review_started.isoformat() == "2026-11-02"
        assert view.clocks.decision is not None
        assert view.clocks.decision.due is not None
        assert view.clocks.decision.due.isoformat() == "2026-12-14"  # 20 + 10 working days
        returned = next(f for f in filings if f.state == "returned")
        paused = licence_view(session, caller, returned.id).clocks.acceptance
        assert paused is not None and paused.paused is True
        items, _ = register.search(session)
        assert sorted(i.decision for i in items) == ["approved", "refused"]
        assert {i.decided_on.isoformat() for i in items} == {"2026-11-10", "2026-11-20"}
    assert audit_state_database(db, StateViews(state_views())).ok
    with UnitOfWork(db, TEST_ACTOR) as uow:
        assert load_licences(uow) == 0  # loaded once
        uow.commit()
