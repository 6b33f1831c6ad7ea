"""The demo's payments: freight invoices paid, a class-C firm refused, a service importer's
two partial P2 payments on one tax filing and its refused overpayment, once."""

from __future__ import annotations

from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.loader import load_demo
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import Alert
from crossfin.payments.models import Payment
from support.parties import TEST_ACTOR


def test_demo_payments_and_the_class_c_refusal(db: Database, settings: Settings) -> None:
    # 6 P3, the case firm's (demo/enterprise_page.py) and the pacs.008 one (demo/iso20022.py),
    # 2 P2, 10 P1; then nothing.
    for expected in (10 + 10, 0):
        with UnitOfWork(db, TEST_ACTOR) as uow:
            result = load_demo(uow, settings.data_dir)
            uow.commit()
        assert result.payments_added == expected
    with db.session(readonly=True) as session:
        states = dict(
            session.execute(select(Payment.state, func.count()).group_by(Payment.state)).all()
        )
        alerts = session.scalars(select(Alert.kind)).all()
        p2 = session.scalars(
            select(Payment.state).where(Payment.scenario == "P2").order_by(Payment.id)
        ).all()
    assert states == {"paid": 4, "approved": 2, "submitted": 4 + 10}
    assert p2 == ["paid", "submitted"]
    assert alerts.count("class-not-eligible") == 1
    assert alerts.count("filing-overpayment") == 1


def test_demo_p1_payments_and_their_sample(db: Database, settings: Settings) -> None:
    import json

    from crossfin.demo.payments import draw_p1_sample
    from crossfin.payments.p1_models import P1Funding, P1Sample
    from support.ledger import quiet_settings

    conf = quiet_settings(settings)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_demo(uow, conf.data_dir)
        uow.commit()
    drawn = draw_p1_sample(db, conf)
    assert drawn is not None and draw_p1_sample(db, conf) is None  # once
    with db.session(readonly=True) as session:
        sources = set(session.scalars(select(P1Funding.source_of_funds)))
        sample = session.get(P1Sample, drawn)
        assert sample is not None
        assert len(json.loads(sample.candidates)) == 10 and sample.rate_bp == 5000
    assert sources == {"capital", "foreign_debt", "listing_proceeds"}


def test_demo_offshore_checks_one_passed_one_failed_with_its_alert(
    db: Database, settings: Settings
) -> None:
    import json

    from crossfin.documents.models import Document, DocumentBalance
    from crossfin.payments.offshore.models import OffshoreCheck

    for expected in (2, 0):  # the second load adds nothing
        with UnitOfWork(db, TEST_ACTOR) as uow:
            result = load_demo(uow, settings.data_dir)
            uow.commit()
        assert result.offshore_checks_added == expected
    with db.session(readonly=True) as session:
        checks = session.execute(
            select(OffshoreCheck.external_ref, OffshoreCheck.outcome).order_by(OffshoreCheck.id)
        ).all()
        alerts = session.scalars(select(Alert.kind)).all()
        passed_comparisons, failed_comparisons = session.scalars(
            select(OffshoreCheck.comparisons).order_by(OffshoreCheck.id)
        ).all()
        endorsed = session.scalars(
            select(Document.key)
            .join(DocumentBalance, DocumentBalance.document_id == Document.id)
            .where(Document.key.startswith("BDCLOFF"), DocumentBalance.active_uses == 1)
        ).all()
        events = session.scalar(
            select(func.count()).select_from(Document).where(Document.kind == "transport_event")
        )
    assert [tuple(c) for c in checks] == [("demo-P4-001", "passed"), ("demo-P4-002", "failed")]
    # Published through signed batches, the carrier's events are indexed by what they name:
    # the passed check found every one (no comparison lacks its evidence).
    assert {c["outcome"] for c in json.loads(passed_comparisons)} == {"match"}
    failed = {c["subject"] for c in json.loads(failed_comparisons) if c["outcome"] != "match"}
    assert failed == {"voyage", "gross_weight"}
    assert alerts.count("offshore-check-failed") == 1
    assert endorsed == ["BDCLOFF2600001"]
    assert events == 8
