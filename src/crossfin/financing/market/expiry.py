"""F7 needs expire: each need has a last day (`expires_on`) for offers and acceptance.

The day is the enterprise's choice within the F7 caps in force when it publishes
(`need_validity_days` after today at most), or that cap when it gives none. Expiry is
checked when read, not swept: an expired need changes no row and records no event (there
is nothing to release: a need reserves no document), it just stops taking offers and
acceptances (409 `/need-expired` naming `expires_on`) and is shown as "expired".
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.financing.caps.schemas import F7Caps
from crossfin.financing.caps.store import InForce, caps_in_force
from crossfin.financing.errors import NeedExpired, ScenarioLimitExceeded
from crossfin.financing.market.models import FinancingNeed

EXPIRED = "expired"


def need_expiry(session: Session, given: date | None, today: date) -> tuple[date, InForce]:
    """The need's last day and the F7 caps that set it (422 naming `expires_on`)."""
    caps = caps_in_force(session, "F7", today)
    assert isinstance(caps.params, F7Caps)
    days = caps.params.need_validity_days
    latest = today + timedelta(days=days)
    if given is None:
        return latest, caps
    if given < today:
        raise invalid("expires_on", "must be today or later")
    if given > latest:
        raise ScenarioLimitExceeded(
            f"a need may stay open at most {days} days: until {latest}",
            field="expires_on",
            limit_days=days,
        )
    return given, caps


def is_expired(need: FinancingNeed, today: date) -> bool:
    return need.status == "open" and need.expires_on < today


def shown_status(need: FinancingNeed, today: date) -> str:
    """The status lists show: an open need past its last day is "expired"."""
    return EXPIRED if is_expired(need, today) else need.status


def check_open(need: FinancingNeed, today: date) -> None:
    """409 `/need-expired` once the need's last day has passed."""
    if is_expired(need, today):
        raise NeedExpired(
            f"need {need.id} expired on {need.expires_on}",
            field="expires_on",
            expires_on=need.expires_on.isoformat(),
        )


def status_filter(status: str, today: date) -> ColumnElement[bool]:
    """The SQL condition for a status as lists show it ("open" leaves expired needs out)."""
    if status == EXPIRED:
        return (FinancingNeed.status == "open") & (FinancingNeed.expires_on < today)
    if status == "open":
        return (FinancingNeed.status == "open") & (FinancingNeed.expires_on >= today)
    return FinancingNeed.status == status
