"""Demo scenario caps: the shipped defaults loaded as version 1 of each scenario.

What `crossfin scenarios caps set --defaults` does, through the same use-case, so the
demo's financings and its F7 need name a loaded caps version (and the audit covers the
rows). The shipped versions are effective from 2020-01-01, before any demo date.
"""

from __future__ import annotations

from crossfin.financing.caps.store import set_caps, shipped
from crossfin.ledger.uow import UnitOfWork


def load_demo_caps(uow: UnitOfWork) -> int:
    """Load the shipped caps (already loaded ones change nothing); how many were added."""
    added = 0
    for data in shipped():
        _, receipt = set_caps(uow, data)
        added += receipt is not None
    return added
