"""Counting a bank's mismatches per document and UTC day; past the limit, alert once.

The tally rows are created if missing (INSERT ... ON CONFLICT DO NOTHING) and then locked
in document order (SELECT ... FOR UPDATE on PostgreSQL; SQLite's writer already holds the
database lock), so concurrent verifications by one bank count every mismatch exactly
once and raise exactly one alert per document and day.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from crossfin.core.clock import utcnow
from crossfin.core.db import insert_for
from crossfin.documents.access.models import MismatchTally
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alerts import AlertKind, raise_alert

if TYPE_CHECKING:
    from crossfin.documents.access.verification import ItemResult

CHUNK = 1_000


def _lock_tallies(
    uow: UnitOfWork, bank_org_id: int, doc_ids: list[int]
) -> dict[int, MismatchTally]:
    session, day = uow.session, utcnow().date()
    insert = insert_for(session)
    tallies: dict[int, MismatchTally] = {}
    for start in range(0, len(doc_ids), CHUNK):
        chunk = doc_ids[start : start + CHUNK]
        rows = [
            {"document_id": d, "bank_org_id": bank_org_id, "day": day, "mismatches": 0}
            for d in chunk
        ]
        session.execute(insert(MismatchTally).values(rows).on_conflict_do_nothing())
        query = (
            select(MismatchTally)
            .where(
                MismatchTally.document_id.in_(chunk),
                MismatchTally.bank_org_id == bank_org_id,
                MismatchTally.day == day,
            )
            .order_by(MismatchTally.document_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        tallies |= {t.document_id: t for t in session.scalars(query)}
    return tallies


def count_mismatches(
    uow: UnitOfWork, bank_org_id: int, items: Sequence[ItemResult], limit: int
) -> None:
    """Count the items' mismatches; mark those past `limit` withheld; one alert each.

    Requires every mismatch item to carry its document.
    """
    mismatches = [it for it in items if it.outcome == "mismatch" and it.document is not None]
    if not mismatches:
        return
    doc_ids = sorted({it.document.id for it in mismatches if it.document is not None})
    tallies = _lock_tallies(uow, bank_org_id, doc_ids)
    for item in mismatches:
        doc = item.document
        assert doc is not None
        tally = tallies[doc.id]
        tally.mismatches += 1
        if tally.mismatches <= limit:
            continue
        item.withheld = True
        if tally.alert_id is None:
            raised = raise_alert(
                uow,
                AlertKind.VERIFICATION_MISMATCHES,
                subject_org_id=doc.owner_org_id,
                jurisdiction_path=doc.jurisdiction_path,
                actor_org_id=bank_org_id,
                document_id=doc.id,
                details={
                    "kind": doc.kind,
                    "key": doc.key,
                    "bank": bank_org_id,
                    "day": tally.day.isoformat(),
                    "limit": limit,
                    "mismatches": tally.mismatches,
                },
            )
            if raised is not None:  # None: the rule is disabled there
                tally.alert_id = raised[0].id
    uow.session.flush()
