"""Audit: re-hash every stored record, rebuild the tree and compare everything stored.

Streaming, in chunks of leaves: memory stays bounded by the chunk and the O(log n) right
edge, whatever the log's size. The first bad index is the lowest leaf whose proofs
would be wrong: a record that does not hash to its stored leaf hash, a missing leaf, or
the first leaf under a stored subtree hash that differs from the rebuilt one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.db import Database
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.models import Checkpoint, LedgerEvent, TreeHash
from crossfin.ledger.note import NoteError, Verifier, open_note
from crossfin.ledger.proofs import NodeId, append_to_edge
from crossfin.ledger.rfc6962 import fold_subtrees, leaf_hash
from crossfin.ledger.store import DbHashReader, read_head

CHUNK = 4096
MAX_PROBLEMS = 50


@dataclass
class AuditReport:
    """What the audit found; `ok` only when nothing at all was wrong."""

    size: int = 0
    checkpoints: int = 0
    latest_checkpoint: int | None = None
    first_bad_index: int | None = None
    problems: list[str] = field(default_factory=list)
    _bad_leaves: list[int] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad_leaf(self, index: int, message: str) -> None:
        """Record a problem with one leaf (or with the subtree starting at that leaf)."""
        if len(self._bad_leaves) < 10_000:
            self._bad_leaves.append(index)
        self.problem(index, message)

    def problem(self, index: int | None, message: str) -> None:
        """Record a problem; `index` is the lowest leaf it makes wrong, if any."""
        if index is not None and (self.first_bad_index is None or index < self.first_bad_index):
            self.first_bad_index = index
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("... more problems not listed")

    def explained(self, begin: int, end: int) -> bool:
        """True if a known bad leaf lies in [begin, end) (its ancestors differ too)."""
        return any(begin <= i < end for i in self._bad_leaves) or len(self._bad_leaves) >= 10_000

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "size": self.size, "checkpoints": self.checkpoints,
                "latest_checkpoint": self.latest_checkpoint,
                "first_bad_index": self.first_bad_index, "problems": self.problems}


def _checkpoints(session: Session) -> Iterator[tuple[int, bytes, str]]:
    """Every stored checkpoint by size, streamed."""
    query = select(Checkpoint.size, Checkpoint.root, Checkpoint.note).order_by(Checkpoint.size)
    for row in session.execute(query.execution_options(yield_per=500)):
        yield row.size, row.root, row.note


def _check_checkpoint(report: AuditReport, verifier: Verifier, row: tuple[int, bytes, str],
                      root: bytes) -> None:
    """Signature, body and root of one stored checkpoint against the rebuilt tree."""
    size, stored_root, note = row
    report.checkpoints += 1
    report.latest_checkpoint = size
    try:
        body = parse_checkpoint(open_note(note, [verifier])[0])
    except NoteError as exc:
        report.problem(None, f"checkpoint {size}: signature or format invalid: {exc}")
        return
    if (body.origin, body.size, body.root) != (verifier.name, size, stored_root):
        report.problem(None, f"checkpoint {size}: signed body does not match its row")
    if body.root != root:
        report.problem(size - 1 if size else None,
                       f"checkpoint {size}: signed root {body.root.hex()} but the records "
                       f"give {root.hex()}")


def _check_leaves(report: AuditReport, session: Session, begin: int, end: int) -> list[bytes]:
    """Re-hash records [begin, end); return the leaf hashes the records imply."""
    rows = session.execute(
        select(LedgerEvent.leaf_index, LedgerEvent.record, LedgerEvent.leaf_hash)
        .where(LedgerEvent.leaf_index >= begin, LedgerEvent.leaf_index < end)
        .order_by(LedgerEvent.leaf_index)).all()
    by_index = {index: (record, stored) for index, record, stored in rows}
    leaves = []
    for index in range(begin, end):
        if index not in by_index:
            report.bad_leaf(index, f"leaf {index}: record missing")
            leaves.append(b"\0" * 32)  # keeps positions; the gap is already reported
            continue
        record, stored = by_index[index]
        computed = leaf_hash(record)
        if computed != stored:
            report.bad_leaf(index, f"leaf {index}: record hashes to {computed.hex()}, "
                                   f"stored leaf hash is {stored.hex()}")
        leaves.append(computed)
    return leaves


def _check_nodes(report: AuditReport, reader: DbHashReader,
                 created: list[tuple[NodeId, bytes]]) -> None:
    """Compare rebuilt subtree hashes with the stored ones, one range read per level."""
    by_level: dict[int, list[tuple[int, bytes]]] = {}
    for (level, n), value in created:
        by_level.setdefault(level, []).append((n, value))
    for level, nodes in sorted(by_level.items()):
        first = nodes[0][0]
        try:
            stored = reader.read_range(level, first, len(nodes))
        except KeyError as exc:
            missing = exc.args[0][1]
            report.problem(missing << level, f"subtree hash ({level}, {missing}) is missing")
            continue
        for (n, value), kept in zip(nodes, stored, strict=True):
            begin, end = n << level, (n + 1) << level
            # Levels come up in order, so a bad child is known before its ancestors,
            # which then differ too and are not reported again.
            if value != kept and not report.explained(begin, end):
                report.bad_leaf(begin, f"stored subtree hash ({level}, {n}) over leaves "
                                       f"[{begin}, {end}) is {kept.hex()}, rebuilt {value.hex()}")


def _check_extra_rows(report: AuditReport, session: Session, size: int) -> None:
    """Rows beyond the tree of `size` leaves would be served as tiles: flag them."""
    extra = session.scalar(select(func.count()).select_from(LedgerEvent)
                           .where(LedgerEvent.leaf_index >= size))
    if extra:
        report.problem(size, f"{extra} record(s) stored beyond the head size {size}")
    levels = session.execute(select(TreeHash.level, func.count())
                             .group_by(TreeHash.level)).all()
    for level, count in levels:
        expected = size >> level
        if count != expected:
            report.problem(None, f"level {level} holds {count} subtree hashes, "
                                 f"a tree of {size} leaves has {expected}")


def audit(session: Session, verifier: Verifier, chunk: int = CHUNK) -> AuditReport:
    """Audit the whole log visible to `session`; `verifier` is the log's key."""
    head = read_head(session)
    size, report = head.size, AuditReport(size=head.size)
    reader = DbHashReader(session)
    checkpoints = _checkpoints(session)
    pending = next(checkpoints, None)
    edge: list[bytes] = []
    position = 0
    while True:
        while pending is not None and pending[0] == position:
            _check_checkpoint(report, verifier, pending, fold_subtrees(edge))
            pending = next(checkpoints, None)
        if position >= size:
            break
        end = min(position + chunk, size)
        if pending is not None and pending[0] > position:
            end = min(end, pending[0])  # stop at each checkpoint to compare its root
        leaves = _check_leaves(report, session, position, end)
        result = append_to_edge(edge, leaves, position)
        _check_nodes(report, reader, result.hashes)
        edge, position = result.right_edge, end
    if pending is not None:
        report.problem(None, f"checkpoint {pending[0]} is beyond the head size {size}")
    if fold_subtrees(edge) != head.root or b"".join(edge) != head.edge:
        report.problem(size - 1 if size else None,
                       f"head root {head.root.hex()} differs from the rebuilt "
                       f"{fold_subtrees(edge).hex()} (or its right edge does)")
    _check_extra_rows(report, session, size)
    return report


def audit_database(db: Database, verifier: Verifier) -> AuditReport:
    """Audit in one snapshot (REPEATABLE READ on PostgreSQL; SQLite readers are snapshots)."""
    with db.session(readonly=True) as session:
        if db.dialect == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return audit(session, verifier)
