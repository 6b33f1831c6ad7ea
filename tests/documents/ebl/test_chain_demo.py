"""The demo records one endorsement chain and the F5 bill's issuance, once (demo/ebl_chain.py)."""

from __future__ import annotations

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.ebl_chain import F5_BILL, load_ebl_chain
from crossfin.demo.financings import _People
from crossfin.demo.loader import load_demo
from crossfin.documents.ebl.usecases import read_chain
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR


def test_the_demo_records_its_chains_once(db: Database, settings: Settings) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        result = load_demo(uow, settings.data_dir)
        uow.commit()
    assert result.ebl_steps_added == 6  # five steps on one bill, the F5 bill's issuance
    with UnitOfWork(db, TEST_ACTOR) as uow:
        assert load_ebl_chain(uow, result.org_ids, settings.data_dir) == 0
        carrier = _People(uow)("carrier.clerk")
        pledged = read_chain(uow.session, carrier, F5_BILL)
        assert pledged["status"] == "held" and pledged["pledged"] is True
        assert pledged["financing_pledges"][0]["scenario"] == "F5"
