"""What verifications add to the statistics, and the recount's source.

Each verified item is VERIFIED (any outcome) and, when it was a mismatch, MISMATCHED too:
in the month (China's calendar) of its request, the county of the document's enterprise
when it was verified (kept on the row, `verifications.county_path`: '' for an unknown
document, or one whose owner had not onboarded), and the verifying bank; no scenario,
currency or class. Items are immutable, and what one counts reads its own row only, so it
never moves (an owner onboarding later does not carry earlier verifications along). A
request's items are summed before they are kept (`add_items`): a bulk verification of
10,000 items makes a few upserts, not 10,000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.documents.access.models import Verification
from crossfin.parties.stats import upkeep as stats
from crossfin.parties.stats.models import Measure
from crossfin.parties.stats.upkeep import Entry, cell, month_of

MISMATCH = "mismatch"


def contribution(
    created_at: datetime, bank_org_id: int, outcome: str, county_path: str, items: int = 1
) -> list[Entry]:
    """The entries of `items` verified items that share a request, an outcome and a county."""
    month = month_of(created_at)
    entries = [cell(Measure.VERIFIED, county_path, month, bank_org_id=bank_org_id, count=items)]
    if outcome == MISMATCH:
        entries.append(
            cell(Measure.MISMATCHED, county_path, month, bank_org_id=bank_org_id, count=items)
        )
    return entries


def add_items(
    session: Session, created_at: datetime, bank_org_id: int, items: Iterable[tuple[str, str]]
) -> None:
    """Keep one request's items (outcome, county of each), summed per outcome and county."""
    counted = Counter(items)
    stats.add(
        session,
        (
            entry
            for (outcome, county), n in sorted(counted.items())
            for entry in contribution(created_at, bank_org_id, outcome, county, n)
        ),
    )


def all_contributions(session: Session) -> Iterator[Entry]:
    """Every verified item's entries, read summed per request, outcome and county (a
    request's items share their moment): the recount's source (registered at assembly)."""
    v = Verification
    keys = (v.created_at, v.bank_org_id, v.outcome, v.county_path)
    for created_at, bank, outcome, county, n in session.execute(
        select(*keys, func.count()).group_by(*keys)
    ):
        yield from contribution(created_at, bank, outcome, county, n)
