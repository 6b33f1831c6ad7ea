"""A firm's financed volume by month, for supervision's `monthly-volume-spike` sweep."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.documents.fx import rates_to
from crossfin.financing.exports_alert import usd_of
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.parties.alerts import evidence
from crossfin.parties.volumes import Volume, china_midnight

# Financings that never became a loan add nothing.
_DROPPED = (State.REJECTED.value, State.CANCELLED.value, State.EXPIRED.value)


def monthly_volumes(session: Session, since: date) -> list[Volume]:
    """Each financing registered since `since` (China's date), in USD (none without a rate)."""
    start = china_midnight(since)
    rows = list(
        session.scalars(
            select(Financing).where(Financing.created_at >= start, Financing.state.not_in(_DROPPED))
        )
    )
    rates = rates_to(session, {f.currency for f in rows}, "USD", business_date())
    out = []
    for f in rows:
        amount = usd_of(f.amount_minor, f.currency, rates)
        if amount is not None:
            month = business_date(f.created_at).strftime("%Y-%m")
            record = evidence("financing", f.id, f.external_ref)
            out.append(Volume(f.enterprise_org_id, month, amount, record))
    return out
