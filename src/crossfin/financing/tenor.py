"""The due date a bank gives at disbursement, against what registration fixed.

Registration checks a due date given with the application (F4's tenor cap in
scenarios/f4.py; F7's from the accepted offer's tenor in market/matchmaking.py). A due
date given later, at disbursement, meets the same rules: F7's cannot change (the offer's
tenor set it), F4's stays within `max_tenor_days` of the financing's date under the caps
in force on that date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import invalid
from crossfin.financing.caps.schemas import F4Caps
from crossfin.financing.caps.store import caps_in_force
from crossfin.financing.errors import ScenarioLimitExceeded
from crossfin.financing.models import Financing


def check_due_date(session: Session, financing: Financing, due_date: date | None) -> None:
    """422 naming `due_date` when the date breaks the financing's scenario rules."""
    if due_date is None or due_date == financing.due_date:
        return
    if financing.offer_id is not None and financing.due_date is not None:
        raise invalid(
            "due_date", f"the accepted offer's tenor set the due date to {financing.due_date}"
        )
    if financing.scenario == "F4":
        day = business_date(financing.created_at)
        caps = caps_in_force(session, "F4", day).params
        assert isinstance(caps, F4Caps)
        tenor = (due_date - day).days
        if tenor > caps.max_tenor_days:
            raise ScenarioLimitExceeded(
                f"due date {due_date} is {tenor} days after the financing's date {day}; "
                f"F4 allows at most {caps.max_tenor_days} days",
                field="due_date",
                limit_days=caps.max_tenor_days,
            )
