"""The demo's daily FX table, loaded for the demo's business date before its financings.

A financing records its USD equivalent at registration, from the request's rates or the
daily table (`documents/fx.conversion`), and the statistics sum USD. Without a table, the
demo's EUR and CNY loans had none and counted 0 USD on the dashboard. The rates are the
ones the demo's payments already quote; loaded through the same use case as
`crossfin financing fx-load` (one ledger event), once per business date.
"""

from __future__ import annotations

from sqlalchemy import select

from crossfin.core.clock import business_date
from crossfin.demo.payments import USD_CNY
from crossfin.demo.service_payments import USD_RATES
from crossfin.documents.fx import RateRow, load_rates
from crossfin.documents.models import FxRate
from crossfin.ledger.uow import UnitOfWork

PAIRS = {("USD", "CNY"): USD_CNY} | {(ccy, "USD"): rate for ccy, rate in USD_RATES.items()}


def load_demo_rates(uow: UnitOfWork) -> int:
    """The table's rates for today, unless today has some already: how many were added."""
    day = business_date()
    if uow.session.scalar(select(FxRate.rate_date).where(FxRate.rate_date == day).limit(1)):
        return 0
    added, _ = load_rates(uow, [RateRow(day, b, q, r) for (b, q), r in sorted(PAIRS.items())])
    return added
