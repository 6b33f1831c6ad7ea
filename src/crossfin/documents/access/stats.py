"""What verifications add to the statistics, and the recount's source.

Each verified item is VERIFIED (any outcome) and, when it was a mismatch, MISMATCHED too:
in the month (China's calendar) of its request, the county of the document's enterprise
('' for an unknown document, or one whose owner has not onboarded), and the verifying bank;
no scenario, currency or class. Items are immutable, but their county is the document's:
when an owner onboards and its documents are linked (`relink`), their verifications move
from '' to its county. A request's items are summed before they are kept (`add_items`): a
bulk verification of 10,000 items makes a few upserts, not 10,000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from crossfin.documents.access.models import Verification
from crossfin.documents.models import Document
from crossfin.parties.stats import upkeep as stats
from crossfin.parties.stats.models import Measure
from crossfin.parties.stats.upkeep import Entry, cell, month_of

MISMATCH = "mismatch"


def contribution(
    created_at: datetime, bank_org_id: int, outcome: str, county_path: str | None, items: int = 1
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
    session: Session,
    created_at: datetime,
    bank_org_id: int,
    items: Iterable[tuple[str, str | None]],
) -> None:
    """Keep one request's items (outcome, county of each), summed per outcome and county."""
    counted = Counter(items)
    stats.add(
        session,
        (
            entry
            for (outcome, county), n in sorted(counted.items(), key=str)
            for entry in contribution(created_at, bank_org_id, outcome, county, n)
        ),
    )


def _grouped(session: Session, *where: ColumnElement[bool]) -> Iterator[Entry]:
    """Verifications summed per request moment, bank, outcome and the document's county."""
    county = Document.jurisdiction_path
    query = (
        select(
            Verification.created_at,
            Verification.bank_org_id,
            Verification.outcome,
            county,
            func.count(),
        )
        .outerjoin(Document, Document.id == Verification.document_id)
        .where(*where)
        .group_by(Verification.created_at, Verification.bank_org_id, Verification.outcome, county)
    )
    for created_at, bank, outcome, path, n in session.execute(query):
        yield from contribution(created_at, bank, outcome, path, n)


def all_contributions(session: Session) -> Iterator[Entry]:
    """Every verified item's entries: the recount's source (registered at assembly)."""
    yield from _grouped(session)


def relink(session: Session, uscc: str, county_path: str | None) -> None:
    """The documents of `uscc` not yet linked to their owner are about to sit in
    `county_path`: move their verifications there (call it before the documents change)."""
    unlinked = (Document.owner_uscc == uscc, Document.owner_org_id.is_(None))
    before = list(_grouped(session, *unlinked))
    if not before:
        return
    stats.subtract(session, before)
    stats.add(
        session,
        (entry._replace(key=entry.key._replace(county_path=county_path or "")) for entry in before),
    )
