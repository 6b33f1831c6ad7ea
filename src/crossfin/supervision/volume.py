"""The `monthly-volume-spike` rule: a firm's volume this month far above its own history.

A firm's monthly volume is what was financed for it (financings registered that month and
not rejected, cancelled or expired) plus what it paid abroad (payments paid), in USD, by
China's calendar month. The rule fires when this month's volume is above `factor` times
the median of the months with volume among the previous `months` months, and at least
`min_months` of them had volume (a firm without history is not judged).

It is a sweep (`crossfin alerts sweep`, and the demo), not a check on every write: the
volume spans two sibling domains (financing and payments, which may not read each other)
and a monthly figure needs no answer within the request; so the registrations and
payments that must stay fast pay nothing for it. The domains hand their volumes in
through `add_volume_source` (filled at assembly). Each firm is judged under its
organization row's lock, and an alert already raised for the firm and month is never
raised again, so concurrent or repeated sweeps raise one alert per firm and month.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import PARAMS, rule_for
from crossfin.parties.alerts import Alert, AlertKind, Evidence, raise_alert
from crossfin.parties.models import Organization
from crossfin.parties.volumes import Volume

SWEEPER = Actor(None, None, "alerts-sweeper")
MAX_LISTED = 20


# Each source: (session, first day of the oldest month wanted) -> its volumes.
VolumeSource = Callable[[Session, date], list[Volume]]
_SOURCES: list[VolumeSource] = []


def add_volume_source(source: VolumeSource) -> None:
    """Register a domain's volumes (assembly does, once per domain)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def _month(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Firm:
    months: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    records: list[Evidence] = field(default_factory=list)


def gather(session: Session, today: date) -> dict[int, Firm]:
    """Every firm's volume by month over the longest window a rule may ask for."""
    oldest = _month(today, PARAMS[AlertKind.MONTHLY_VOLUME]["months"].high)
    current = today.strftime("%Y-%m")
    firms: dict[int, Firm] = defaultdict(Firm)
    for source in _SOURCES:
        for volume in source(session, oldest):
            firm = firms[volume.org_id]
            firm.months[volume.month] += volume.usd
            if volume.month == current and len(firm.records) < MAX_LISTED:
                firm.records.append(volume.record)
    return firms


def judge(
    firm: Firm, today: date, factor: Decimal, months: int, least: int
) -> dict[str, Any] | None:
    """The alert's details if this month is above `factor` x the median month, else None."""
    now = firm.months.get(today.strftime("%Y-%m"), Decimal(0))
    history = [
        firm.months.get(_month(today, b).strftime("%Y-%m"), Decimal(0))
        for b in range(1, months + 1)
    ]
    active = [v for v in history if v > 0]
    if len(active) < least or now <= 0:
        return None
    median = Decimal(statistics.median(active))
    if now <= factor * median:
        return None
    return {
        "month": today.strftime("%Y-%m"),
        "volume_usd": f"{now:.2f}",
        "median_usd": f"{median:.2f}",
        "months_with_volume": len(active),
    }


def sweep(db: Database, today: date | None = None) -> list[int]:
    """Judge every firm with volume this month; the ids of the alerts raised."""
    day = today or business_date()
    with db.session(readonly=True) as session:
        firms = {k: v for k, v in gather(session, day).items() if day.strftime("%Y-%m") in v.months}
    raised: list[int] = []
    for org_id, firm in sorted(firms.items()):
        with UnitOfWork(db, SWEEPER) as uow:
            alert_id = _judge_one(uow, org_id, firm, day)
            uow.commit()
        if alert_id is not None:
            raised.append(alert_id)
    return raised


def _judge_one(uow: UnitOfWork, org_id: int, firm: Firm, day: date) -> int | None:
    org = uow.session.scalars(
        select(Organization).where(Organization.id == org_id).with_for_update()
    ).one()
    rule = rule_for(uow.session, AlertKind.MONTHLY_VOLUME, org.jurisdiction_path)
    if not rule.enabled:
        return None
    details = judge(
        firm, day, rule.number("factor"), rule.integer("months"), rule.integer("min_months")
    )
    if details is None:
        return None
    month = f'"month": "{details["month"]}"'
    already = uow.session.scalar(
        select(Alert.id).where(
            Alert.kind == AlertKind.MONTHLY_VOLUME.value,
            Alert.subject_org_id == org_id,
            Alert.details.contains(month),
        )
    )
    if already is not None:
        return None
    done = raise_alert(
        uow,
        AlertKind.MONTHLY_VOLUME,
        subject_org_id=org_id,
        jurisdiction_path=org.jurisdiction_path,
        details=details,
        records=firm.records,
        rule=rule,
    )
    return done[0].id if done else None
