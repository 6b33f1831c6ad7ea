"""Reading the stored tree: a HashReader over the ledger_hashes table, and the head."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from crossfin.core.db import driver_mark
from crossfin.ledger.models import LogHead
from crossfin.ledger.proofs import NodeId
from crossfin.ledger.sequencer import HEAD_ID

# Node ids per statement: two parameters each, well under SQLite's bound-parameter limit.
_CHUNK = 400


class DbHashReader:
    """Reads complete-subtree hashes by (level, n) with one plain SQL statement per call.

    Proofs and tiles are the hot read path (one query each); building the statement as
    driver SQL is ten times cheaper than a Core or ORM query of varying shape.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._mark = driver_mark(session.get_bind().dialect)

    def read_hashes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """Hashes of `ids` in order; KeyError for any not stored."""
        found: dict[NodeId, bytes] = {}
        wanted = list(dict.fromkeys(ids))
        pair = f"(level = {self._mark} AND idx = {self._mark})"
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            where = " OR ".join([pair] * len(chunk))
            sql = f"SELECT level, idx, hash FROM ledger_hashes WHERE {where}"
            args = tuple(v for node in chunk for v in node)
            found.update(
                ((lvl, n), bytes(h))
                for lvl, n, h in self.session.connection().exec_driver_sql(sql, args)
            )
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(missing[0])
        return [found[i] for i in ids]

    def read_range(self, level: int, first: int, count: int) -> list[bytes]:
        """`count` consecutive hashes of one level, in order; KeyError if short."""
        m = self._mark
        rows = (
            self.session.connection()
            .exec_driver_sql(
                f"SELECT hash FROM ledger_hashes WHERE level = {m} AND idx >= {m} AND idx < {m} "
                "ORDER BY idx",
                (level, first, first + count),
            )
            .all()
        )
        if len(rows) != count:
            raise KeyError((level, first + len(rows)))
        return [bytes(h) for (h,) in rows]


def read_head(session: Session) -> LogHead:
    """The current head without locking it (readers never block the sequencer)."""
    head = session.get(LogHead, HEAD_ID)
    if head is None:
        raise RuntimeError("the ledger has no head row: run `crossfin init`")
    return head
