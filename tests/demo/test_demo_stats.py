"""The demo ends with its statistics equal to a full recount, and its firms sized."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.loader import load_demo
from crossfin.financing.models import Financing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import Organization, OrgKind
from crossfin.payments.models import Payment
from support.parties import TEST_ACTOR
from support.stats import assert_stats_match_recount, measures


def test_the_demo_keeps_its_statistics_as_a_recount_would(db: Database, settings: Settings) -> None:
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_demo(uow, settings.data_dir)
        uow.commit()
    assert_stats_match_recount(db)
    found = measures(db)
    with db.session(readonly=True) as session:
        financings = session.scalar(select(func.count()).select_from(Financing))
        paid = session.scalar(select(func.count()).where(Payment.state == "paid"))
        # The demo's daily FX table gives every loan, in EUR and CNY too, its USD equivalent.
        without_usd = session.scalar(
            select(func.count()).where(Financing.usd_minor.is_(None) | (Financing.usd_minor == 0))
        )
        sizes = Counter(
            session.scalars(select(Organization.size).where(Organization.kind == "enterprise"))
        )
    assert found["registered"][0] == financings
    assert without_usd == 0
    assert found["facilitated"][0] == paid
    assert found["refused"][0] >= 3  # the many-banks tries, a class-C attempt, an overpayment
    assert found["check_passed"][0] > 0
    # Every demo firm is sized, four in five small or micro.
    assert None not in sizes
    assert sizes["micro"] + sizes["small"] >= 0.7 * sum(sizes.values())
    assert sum(sizes.values()) == sum(o.kind == OrgKind.ENTERPRISE.value for o in demo_orgs())
