"""The demo imports one OpenAttestation invoice, once (demo/openattestation.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.loader import load_demo
from crossfin.demo.openattestation import load_openattestation
from crossfin.documents.access.models import Fingerprint
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR


def test_the_demo_imports_its_invoice_once(db: Database, settings: Settings) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_demo(uow, settings.data_dir)
        uow.commit()
    with UnitOfWork(db, TEST_ACTOR) as uow:
        assert load_openattestation(uow, settings.data_dir) == 0  # already there
        assert uow.session.scalar(select(func.count()).select_from(Fingerprint)) == 1
