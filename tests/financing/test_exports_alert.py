"""The set-based exports of `financing-above-exports`: per currency in one query, at the
daily table's rates (direct or inverted, the newest within the look-back), equal to
converting each declaration on its own as the rule did before."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from crossfin.core.db import Database
from crossfin.core.errors import ValidationFailed
from crossfin.core.money import currency_exponent
from crossfin.documents.fx import RateRow, conversion, load_rates, rates_to
from crossfin.financing.exports_alert import exports_usd
from crossfin.ledger.uow import UnitOfWork
from support.financing import declaration, make_firms, today
from support.parties import TEST_ACTOR


def _rates(db: Database) -> None:
    day = today()
    rows = [
        RateRow(day - timedelta(days=3), "EUR", "USD", "1.05"),  # older: not used
        RateRow(day - timedelta(days=1), "EUR", "USD", "1.10"),
        RateRow(day - timedelta(days=1), "USD", "CNY", "7.00"),  # inverted for CNY
        RateRow(day - timedelta(days=30), "USD", "GBP", "0.80"),  # beyond the look-back
    ]
    with UnitOfWork(db, TEST_ACTOR) as uow:
        load_rates(uow, rows)
        uow.commit()


def test_exports_in_usd_match_a_conversion_per_declaration(db: Database) -> None:
    _rates(db)
    firms = make_firms(db, banks=1)
    counted = [
        declaration(db, firms, "1000.00", "USD"),
        declaration(db, firms, "2000.00", "EUR"),
        declaration(db, firms, "700.00", "CNY"),
        declaration(db, firms, "100.00", "EUR", shipped=today() - timedelta(days=364)),
    ]
    declaration(db, firms, "300.00", "GBP")  # no rate in the look-back: left out
    declaration(db, firms, "5000.00", "USD", export=False)  # an import
    declaration(db, firms, "5000.00", "USD", shipped=today() - timedelta(days=366))  # too old
    with db.session(readonly=True) as session:
        found = exports_usd(session, firms.enterprise.org_id)
        one_by_one = Decimal(0)
        for doc in counted:
            rate = conversion(session, doc.currency, "USD", {}, today()).rate or Decimal(1)
            one_by_one += Decimal(doc.value_minor).scaleb(-currency_exponent(doc.currency)) * rate
        with pytest.raises(ValidationFailed):  # GBP has no rate within the look-back
            conversion(session, "GBP", "USD", {}, today())
    assert found is not None
    assert (found.usd, found.declarations) == (one_by_one, 4)
    assert found.usd == Decimal("1000") + Decimal("2310") + Decimal("100")  # 700 CNY = 100 USD


def test_rates_to_answers_in_one_read(db: Database) -> None:
    _rates(db)
    with db.session(readonly=True) as session:
        rates = rates_to(session, {"USD", "EUR", "CNY", "GBP", "JPY"}, "USD", today())
    assert rates == {"USD": Decimal(1), "EUR": Decimal("1.10"), "CNY": 1 / Decimal("7.00")}


def test_a_firm_without_priced_exports_is_not_judged(db: Database) -> None:
    firms = make_firms(db, banks=1)
    declaration(db, firms, "300.00", "GBP")
    declaration(db, firms, "300.00", "USD", export=False)
    with db.session(readonly=True) as session:
        assert exports_usd(session, firms.enterprise.org_id) is None
