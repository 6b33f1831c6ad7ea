"""A firm's paid volume by month, for supervision's `monthly-volume-spike` sweep."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.parties.alerts import evidence
from crossfin.parties.volumes import Volume, china_midnight
from crossfin.payments.lifecycle import State
from crossfin.payments.models import Payment


def monthly_volumes(session: Session, since: date) -> list[Volume]:
    """Each payment paid, submitted since `since` (China's date), at its USD equivalent."""
    rows = session.execute(
        select(
            Payment.id,
            Payment.payer_org_id,
            Payment.external_ref,
            Payment.usd_minor,
            Payment.created_at,
        ).where(Payment.created_at >= china_midnight(since), Payment.state == State.PAID.value)
    )
    return [
        Volume(
            payer,
            business_date(created).strftime("%Y-%m"),
            Decimal(usd_minor).scaleb(-2),
            evidence("payment", pid, ref),
        )
        for pid, payer, ref, usd_minor, created in rows
    ]
