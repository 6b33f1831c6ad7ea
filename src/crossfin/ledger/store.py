"""Reading the stored tree: a HashReader over the ledger_hashes table, and the head."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crossfin.ledger.models import LogHead, TreeHash
from crossfin.ledger.proofs import NodeId
from crossfin.ledger.sequencer import HEAD_ID

# Keep each IN-list well under SQLite's bound-parameter limit.
_CHUNK = 400


class DbHashReader:
    """Reads complete-subtree hashes by (level, n) in as few queries as possible."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def read_hashes(self, ids: Sequence[NodeId]) -> list[bytes]:
        found: dict[NodeId, bytes] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), _CHUNK):
            found.update(self._fetch(wanted[start:start + _CHUNK]))
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(missing[0])
        return [found[i] for i in ids]

    def _fetch(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        by_level: dict[int, list[int]] = {}
        for level, n in ids:
            by_level.setdefault(level, []).append(n)
        clause = or_(*(and_(TreeHash.level == lvl, TreeHash.idx.in_(ns))
                       for lvl, ns in by_level.items()))
        rows = self.session.execute(select(TreeHash.level, TreeHash.idx, TreeHash.hash)
                                    .where(clause))
        return {(lvl, n): h for lvl, n, h in rows}

    def read_range(self, level: int, first: int, count: int) -> list[bytes]:
        """`count` consecutive hashes of one level (a tile), in order; KeyError if short."""
        rows = self.session.execute(
            select(TreeHash.idx, TreeHash.hash)
            .where(TreeHash.level == level, TreeHash.idx >= first,
                   TreeHash.idx < first + count).order_by(TreeHash.idx)).all()
        if len(rows) != count:
            raise KeyError((level, first + len(rows)))
        return [h for _, h in rows]


def read_head(session: Session) -> LogHead:
    """The current head without locking it (readers never block the sequencer)."""
    head = session.get(LogHead, HEAD_ID)
    if head is None:
        raise RuntimeError("the ledger has no head row: run `crossfin init`")
    return head
