"""The single sequencer: pending events get gap-free leaf indexes inside their transaction.

Design (a) of docs/ledger.md: the head row is locked as the last step before COMMIT
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the transaction already holds the
database write lock from BEGIN IMMEDIATE), so indexes are assigned in commit order and
a rolled-back transaction leaves no gap.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.ledger.journal import PendingEvent
from crossfin.ledger.models import LedgerEvent, LedgerEventParty, LogHead, TreeHash
from crossfin.ledger.proofs import append_to_edge
from crossfin.ledger.rfc6962 import EMPTY_ROOT, HASH_SIZE

HEAD_ID = 1


def ensure_head(session: Session) -> None:
    """Create the empty head row if missing (called by `crossfin init`)."""
    if session.get(LogHead, HEAD_ID) is None:
        session.add(LogHead(id=HEAD_ID, size=0, root=EMPTY_ROOT, edge=b"",
                            updated_at=utcnow()))
        session.flush()


def lock_head(session: Session) -> LogHead:
    """Read the head row under a write lock; every appender queues here."""
    query = select(LogHead).where(LogHead.id == HEAD_ID).with_for_update()
    head = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if head is None:
        raise RuntimeError("the ledger has no head row: run `crossfin init`")
    return head


def split_edge(edge: bytes) -> list[bytes]:
    return [edge[i:i + HASH_SIZE] for i in range(0, len(edge), HASH_SIZE)]


def sequence(session: Session, events: Sequence[PendingEvent]) -> None:
    """Assign the next leaf indexes to `events`, store leaves and new subtree hashes."""
    head = lock_head(session)
    start = head.size
    result = append_to_edge(split_edge(head.edge), (e.leaf for e in events), start)
    now = utcnow()
    leaf_rows, party_rows = [], []
    for offset, event in enumerate(events):
        index = start + offset
        event.receipt.leaf_index = index
        leaf_rows.append({"leaf_index": index, "event_id": event.event_id,
                          "type": event.event_type.value, "record": event.record,
                          "leaf_hash": event.leaf, "actor_org_id": event.actor_org_id,
                          "created_at": now})
        party_rows.extend({"leaf_index": index, "org_id": org} for org in event.parties)
    session.execute(insert(LedgerEvent), leaf_rows)
    if party_rows:
        session.execute(insert(LedgerEventParty), party_rows)
    session.execute(insert(TreeHash), [{"level": lvl, "idx": n, "hash": h}
                                       for (lvl, n), h in result.hashes])
    head.size, head.root = result.size, result.root
    head.edge, head.updated_at = b"".join(result.right_edge), now
    session.flush()
