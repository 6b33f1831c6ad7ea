"""Audit: re-hash every record, rebuild the tree, compare everything stored and signed.

Streaming, in chunks of leaves: memory stays bounded by the chunk and the O(log n) right
edge, whatever the log's size; every leaf costs one leaf hash, about one node hash and its
share of one range read per tree level, as it did before (benchmarks in docs/ledger.md).

Two trees are compared node by node: the one the records give (rebuilt here) and the one
stored in `ledger_hashes`; signed checkpoints (the stored ones, and any kept elsewhere, such
as a witness's state) are compared with both. The first bad index is the lowest leaf that
the differences can be blamed on (docs/ledger.md, "Audit"):

* a record that does not hash to its stored leaf hash, a missing record, or a stored
  leaf-level hash that differs: that leaf;
* a stored subtree hash that differs from the rebuilt one and is not the hash of its own
  stored children (so not explained by a difference below it): its first leaf;
* a signed root that neither the records nor the stored tree reproduce (a consistent
  rewrite of records and hashes): the size of the newest checkpoint the records do
  reproduce, since the rewrite starts at or after it and nothing stored says where;
* a signed size beyond the tree (a rollback): the same, since leaves below the tree's size
  may have been rewritten before the log grew again.

No rule names a leaf above the first altered one.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core import security
from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.ledger.checkpoint import parse_checkpoint
from crossfin.ledger.cosignature import CosignatureVerifier, cosignature_timestamp
from crossfin.ledger.models import Checkpoint, Cosignature, LedgerEvent, LogHead
from crossfin.ledger.note import NoteError, Verifier, open_note, parse_signature_line
from crossfin.ledger.proofs import append_to_edge, right_edge_ids
from crossfin.ledger.rfc6962 import fold_subtrees, leaf_hash, node_hash
from crossfin.ledger.store import DbHashReader, read_head
from crossfin.ledger.witness_state import load_record

CHUNK = 4096
MAX_PROBLEMS = 50
# Leaves may wait this long (or two checkpoint intervals, if longer) for their first
# checkpoint before the audit calls the missing checkpoint a problem: the checkpointer signs
# within one interval; the rest absorbs a change of leader and clocks of different hosts.
MIN_GRACE = timedelta(seconds=60)
# Checkpoint rows carry the signing host's clock: a leader change may move it back a little.
CLOCK_SKEW = timedelta(seconds=60)
_NO_HASH = b"\0" * 32


@dataclass
class AuditReport:
    """What the audit found; `ok` only when no problem was found (warnings do not count)."""

    size: int = 0
    checkpoints: int = 0
    latest_checkpoint: int | None = None
    first_bad_index: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, index: int | None, message: str) -> None:
        """Record a problem; `index` is the lowest leaf it can be blamed on, if any."""
        if index is not None and (self.first_bad_index is None or index < self.first_bad_index):
            self.first_bad_index = index
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("... more problems not listed")

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "size": self.size,
            "checkpoints": self.checkpoints,
            "latest_checkpoint": self.latest_checkpoint,
            "first_bad_index": self.first_bad_index,
            "problems": self.problems,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class KeptCheckpoint:
    """A signed checkpoint kept outside the database: a witness's state, a client's copy."""

    source: str
    note: str


def witness_state_checkpoints(state_dir: Path, origin: str) -> list[KeptCheckpoint]:
    """The checkpoint a witness state directory last cosigned for `origin` (read only).

    Raises WitnessStateError if the state file is corrupt.
    """
    record = load_record(state_dir, origin)
    if record is None:
        return []
    return [KeptCheckpoint(f"the witness state in {state_dir}", record.checkpoint)]


@dataclass(frozen=True)
class _Stop:
    """A tree size at which something signed must be compared with the rebuilt tree."""

    size: int
    order: int  # stored rows before kept checkpoints of the same size
    row: Any = None  # a ledger_checkpoints row (size, root, note, cosigners, created_at)
    kept: tuple[str, bytes] | None = None  # (what, signed root) of a kept checkpoint


class _Audit:
    """One pass over the log; see the module docstring for what is blamed on which leaf."""

    def __init__(
        self,
        session: Session,
        verifier: Verifier,
        report: AuditReport,
        *,
        chunk: int,
        witnesses: Sequence[CosignatureVerifier],
    ) -> None:
        self.session, self.verifier, self.report, self.chunk = session, verifier, report, chunk
        self.conn = session.connection()
        self.mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        self.reader = DbHashReader(session)
        self.witnesses = {(w.name, w.key_id): w for w in witnesses}
        self.size = report.size
        self.edge: list[bytes] = []  # right edge of the tree the records give
        self.position = 0
        # The lowest leaf with a local difference (record, leaf hash or stored subtree hash):
        # below it the stored tree equals the rebuilt one without being read again.
        self.first_local: int | None = None
        # The newest size whose signed root the records reproduce: leaves below are genuine.
        self.verified = 0
        self.verified_before = 0  # the value `verified` had before it last grew
        self.covered = 0  # the newest validly signed stored checkpoint within the tree
        self.carry: dict[int, tuple[int, bytes | None]] = {}  # last stored node per level
        self.last_row: tuple[int, bytes | None] | None = None  # (size, signed root)
        self.newest_row: tuple[datetime, int] | None = None  # latest created_at and its size
        self.cosigned: dict[str, tuple[int, int]] = {}  # witness -> (latest time, its size)
        self.unexplained: int | None = None  # the smallest size no tree reproduces
        self.beyond_tree: list[tuple[str, int]] = []  # signed sizes the tree does not reach
        self.cosignatures: Iterator[Any] = iter(())
        self.pending_cosignature: Any = None

    # -- reading ---------------------------------------------------------------------------

    def _rows(self, sql: str, args: tuple[int, ...]) -> list[tuple[Any, ...]]:
        """Plain driver SQL (`{m}` is the parameter mark): the audit reads every row."""
        cursor = self.conn.connection.cursor()
        try:
            cursor.execute(sql.format(m=self.mark), args)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _level(self, level: int, first: int, end: int) -> dict[int, bytes]:
        """Stored subtree hashes (level, first..end-1) by index; missing ones are absent."""
        rows = self._rows(
            "SELECT idx, hash FROM ledger_hashes WHERE level = {m} AND idx >= {m} AND idx < {m}",
            (level, first, end),
        )
        return {n: bytes(h) for n, h in rows}

    def _differs_below(self, size: int) -> bool:
        """True if some stored hash over leaves below `size` differs from the rebuilt one."""
        return self.first_local is not None and self.first_local < size

    def _stored_edge(self, size: int, rebuilt: list[bytes] | None) -> list[bytes] | None:
        """The stored tree's right edge at `size`: `rebuilt` when no stored hash below
        `size` differs, else read (None if a hash is missing)."""
        if not self._differs_below(size):
            return rebuilt
        try:
            return self.reader.read_hashes(right_edge_ids(size))
        except KeyError:
            return None

    # -- leaves and subtrees ---------------------------------------------------------------

    def bad(self, index: int, message: str) -> None:
        """A local difference: a record, leaf hash or stored subtree hash from `index` on."""
        if self.first_local is None or index < self.first_local:
            self.first_local = index
        self.report.problem(index, message)

    def run_chunk(self, end: int, stops: list[int]) -> dict[int, bytes]:
        """Check leaves [position, end) and their subtrees; return rebuilt roots at `stops`."""
        begin = self.position
        records = self._rows(
            "SELECT leaf_index, record, leaf_hash FROM ledger_events "
            "WHERE leaf_index >= {m} AND leaf_index < {m} ORDER BY leaf_index",
            (begin, end),
        )
        stored0 = self._level(0, begin, end)
        leaves: list[bytes] = []
        rows = iter(records)
        row = next(rows, None)
        for index in range(begin, end):
            stored = stored0.get(index)
            if row is not None and row[0] == index:
                computed, kept = leaf_hash(bytes(row[1])), bytes(row[2])
                row = next(rows, None)
                if computed != kept:
                    self.bad(
                        index,
                        f"leaf {index}: record hashes to {computed.hex()}, "
                        f"stored leaf hash is {kept.hex()}",
                    )
                if stored is not None and stored != computed and stored != kept:
                    self.bad(
                        index,
                        f"stored subtree hash (0, {index}) over leaves "
                        f"[{index}, {index + 1}) is {stored.hex()}, "
                        f"rebuilt {computed.hex()}",
                    )
            else:
                self.bad(index, f"leaf {index}: record missing")
                # Go on with the stored leaf hash: the tree above is then checked as usual.
                computed = _NO_HASH if stored is None else stored
            if stored is None:
                self.bad(
                    index,
                    f"subtree hash (0, {index}) over leaves [{index}, {index + 1}) is missing",
                )
            leaves.append(computed)
        while row is not None:  # cannot happen with a primary key, but never skip a row
            self.bad(row[0], f"leaf {row[0]}: stored twice")
            row = next(rows, None)

        roots: dict[int, bytes] = {}
        created: dict[int, list[tuple[int, bytes]]] = {}
        at = begin
        for stop in [*stops, end]:
            if stop > at:
                result = append_to_edge(self.edge, leaves[at - begin : stop - begin], at)
                for (level, n), value in result.hashes:
                    if level:
                        created.setdefault(level, []).append((n, value))
                self.edge, at = result.right_edge, stop
            roots[stop] = fold_subtrees(self.edge)
        self._check_subtrees(created, stored0, end)
        self.position = end
        return roots

    def _check_subtrees(
        self, created: dict[int, list[tuple[int, bytes]]], stored0: dict[int, bytes], end: int
    ) -> None:
        """Compare rebuilt subtree hashes (level >= 1) with the stored ones, level by level.

        A stored hash that differs but equals the hash of its two stored children is
        explained by a difference below it (already reported there); any other is blamed on
        its first leaf, since nothing says which of its leaves it was computed over.
        """
        carried = dict(self.carry)
        below = stored0
        if 0 in carried:
            below.setdefault(*carried[0])  # type: ignore[arg-type]
        self.carry[0] = (end - 1, stored0.get(end - 1))
        for level in sorted(created):
            nodes = created[level]
            stored = self._level(level, nodes[0][0], nodes[-1][0] + 1)
            for n, value in nodes:
                kept = stored.get(n)
                if kept == value:
                    continue
                first, last = n << level, (n + 1) << level
                if kept is None:
                    self.bad(
                        first,
                        f"subtree hash ({level}, {n}) over leaves [{first}, {last}) is missing",
                    )
                    continue
                left, right = below.get(2 * n), below.get(2 * n + 1)
                if left is None or right is None or node_hash(left, right) != kept:
                    self.bad(
                        first,
                        f"stored subtree hash ({level}, {n}) over leaves "
                        f"[{first}, {last}) is {kept.hex()}, rebuilt {value.hex()}",
                    )
                elif self.first_local is None or first < self.first_local:
                    self.first_local = first  # the stored tree differs from here on
            if level in carried:
                stored.setdefault(*carried[level])  # type: ignore[arg-type]
            self.carry[level] = (nodes[-1][0], stored.get(nodes[-1][0]))
            below = stored

    # -- signed checkpoints ----------------------------------------------------------------

    def compare(self, what: str, size: int, signed: bytes, rebuilt: bytes) -> None:
        """A signed root against the tree the records give and the stored tree at `size`."""
        if signed == rebuilt:
            if size > self.verified:
                self.verified_before, self.verified = self.verified, size
            return
        # A checkpoint of the same size that matched vouches for nothing below this one.
        first = self.verified if self.verified < size else self.verified_before
        if self._differs_below(size):
            edge = self._stored_edge(size, None)
            stored = None if edge is None else fold_subtrees(edge)
        else:
            stored = rebuilt  # no stored hash below `size` differs from the rebuilt one
        if stored == signed:
            # The stored tree is the signed one: the altered leaves differ from it, above.
            self.report.problem(
                None,
                f"{what}: signed root {signed.hex()}, but the records "
                f"give {rebuilt.hex()} (the stored tree agrees with the "
                "signature: see the leaves named)",
            )
            return
        if stored == rebuilt:
            trees = ", and so does the stored tree"
        elif stored is None:
            trees = " (the stored tree misses hashes)"
        else:
            trees = f" and the stored tree {stored.hex()}"
        if self.unexplained is None:
            self.unexplained = size
        self.report.problem(
            first,
            (
                f"{what}: signed root {signed.hex()}, but the records give {rebuilt.hex()}{trees}: "
                f"leaves in [{first}, {size}) were rewritten with their hashes; the first "
                f"rewritten leaf is at or after {first}, the newest size whose signed root "
                "the records reproduce"
            ),
        )

    def beyond(self, what: str, size: int) -> None:
        """A signed size the tree does not reach; reported at the end, when `verified` is."""
        self.beyond_tree.append((what, size))

    def report_beyond(self) -> None:
        for what, size in self.beyond_tree:
            first = self.verified
            self.report.problem(
                first,
                f"{what} is beyond the tree of {self.size} leaves: the "
                f"log lost leaves [{self.size}, {size}) (rolled back); "
                f"the first lost or rewritten leaf is at or after {first}"
                ", the newest size whose signed root the records "
                "reproduce",
            )

    def _open(self, note: str, what: str) -> tuple[str, Any] | None:
        """(text, parsed checkpoint) of a note signed by the log, or None after a problem."""
        try:
            text = open_note(note, [self.verifier])[0]
            return text, parse_checkpoint(text)
        except NoteError as exc:
            self.report.problem(None, f"{what}: signature or format invalid: {exc}")
            return None

    def checkpoint_row(self, row: Any, rebuilt: bytes | None) -> None:
        """One stored checkpoint; `rebuilt` is the records' root at its size (None: beyond)."""
        size = row.size
        what = f"checkpoint {size}"
        self.report.checkpoints += 1
        self.report.latest_checkpoint = size
        self._order(row)
        opened = self._open(row.note, what)
        self._cosignatures(row, opened[0] if opened else None)
        self.last_row = (size, opened[1].root if opened else None)
        if opened is None:
            return
        body = opened[1]
        if (body.origin, body.size, body.root) != (self.verifier.name, size, row.root):
            self.report.problem(
                None,
                f"{what}: signed body (origin {body.origin!r}, size "
                f"{body.size}) does not match its row",
            )
        if body.size != size:
            if body.size > self.size:
                self.beyond(f"{what}: its signed size {body.size}", body.size)
            return
        if rebuilt is None:
            self.beyond(what, size)
            return
        self.covered = size
        self.compare(what, size, body.root, rebuilt)

    def kept(self, stop: _Stop, rebuilt: bytes | None) -> None:
        """A checkpoint kept elsewhere (a witness's state): it must be stored, and reproduced."""
        assert stop.kept is not None
        what, signed = stop.kept
        size = stop.size
        if self.last_row is None or self.last_row[0] != size:
            self.report.problem(
                None,
                f"{what} (size {size}) has no stored checkpoint of that "
                "size: ledger_checkpoints lost it",
            )
        elif self.last_row[1] is not None and self.last_row[1] != signed:
            self.report.problem(
                None,
                f"{what} has root {signed.hex()}, the stored checkpoint "
                f"of size {size} has {self.last_row[1].hex()}: the log "
                "signed two different trees of one size",
            )
        if rebuilt is None:
            self.beyond(what, size)
        else:
            self.compare(what, size, signed, rebuilt)

    def _order(self, row: Any) -> None:
        """Checkpoints ordered by size must have been stored in that order too."""
        if self.newest_row is not None and row.created_at + CLOCK_SKEW < self.newest_row[0]:
            later, size = self.newest_row
            self.report.problem(
                None,
                f"checkpoint {size} was stored at {later:%Y-%m-%d %H:%M:%S}"
                f", after checkpoint {row.size} (stored at "
                f"{row.created_at:%Y-%m-%d %H:%M:%S}): the signed tree "
                f"size went back from {row.size} to {size}",
            )
        if self.newest_row is None or row.created_at > self.newest_row[0]:
            self.newest_row = (row.created_at, row.size)

    def _cosignatures(self, row: Any, text: str | None) -> None:
        """The stored cosignatures of one checkpoint: count, signature, time order."""
        size, count = row.size, 0
        while (line := self.pending_cosignature) is not None and line.size <= size:
            self.pending_cosignature = next(self.cosignatures, None)
            if line.size < size:
                self.report.problem(
                    None, f"cosignature of {line.witness} for size {line.size} has no checkpoint"
                )
                continue
            count += 1
            self._cosignature(size, line.witness, line.line, text)
        if count != row.cosigners:
            self.report.problem(
                None,
                f"checkpoint {size}: {count} cosignature(s) stored, its row counts {row.cosigners}",
            )

    def _cosignature(self, size: int, witness: str, line: str, text: str | None) -> None:
        what = f"checkpoint {size}: cosignature of {witness}"
        try:
            sig = parse_signature_line(line.removesuffix("\n"))
            timestamp = cosignature_timestamp(sig.signature)
            if sig.name != witness:
                raise NoteError(f"the line is signed by {sig.name}")
            verifier = self.witnesses.get((sig.name, sig.key_id))
            if verifier is not None and text is not None:
                verifier.verify(text.encode("utf-8"), sig.signature)
        except NoteError as exc:
            self.report.problem(None, f"{what} is invalid: {exc}")
            return
        previous = self.cosigned.get(witness)
        if previous is not None and timestamp < previous[0]:
            self.report.problem(
                None,
                f"{what} is dated {timestamp}, before its cosignature of "
                f"the smaller size {previous[1]} ({previous[0]}): the "
                f"log's size went back from {size} to {previous[1]}",
            )
        if previous is None or timestamp >= previous[0]:
            self.cosigned[witness] = (timestamp, size)

    # -- the pass --------------------------------------------------------------------------

    def stops(self, kept: Sequence[KeptCheckpoint]) -> Iterator[_Stop]:
        """Stored checkpoints (streamed by size) merged with the kept ones."""
        query = select(
            Checkpoint.size,
            Checkpoint.root,
            Checkpoint.note,
            Checkpoint.cosigners,
            Checkpoint.created_at,
        ).order_by(Checkpoint.size)
        rows = (
            _Stop(row.size, 0, row=row)
            for row in self.session.execute(query.execution_options(yield_per=500))
        )
        others = []
        for copy in kept:
            opened = self._open(copy.note, f"the checkpoint in {copy.source}")
            if opened is not None:
                body = opened[1]
                if body.origin != self.verifier.name:
                    self.report.problem(
                        None,
                        f"the checkpoint in {copy.source} is of {body.origin!r}, not of this log",
                    )
                    continue
                what = f"the checkpoint of size {body.size} in {copy.source}"
                others.append(_Stop(body.size, 1, kept=(what, body.root)))
        cosignatures = select(Cosignature.size, Cosignature.witness, Cosignature.line).order_by(
            Cosignature.size, Cosignature.witness
        )
        self.cosignatures = iter(
            self.session.execute(cosignatures.execution_options(yield_per=500))
        )
        self.pending_cosignature = next(self.cosignatures, None)
        return heapq.merge(
            rows, sorted(others, key=lambda s: (s.size, s.order)), key=lambda s: (s.size, s.order)
        )

    def stop(self, stop: _Stop, rebuilt: bytes | None) -> None:
        if stop.row is not None:
            self.checkpoint_row(stop.row, rebuilt)
        else:
            self.kept(stop, rebuilt)

    def run(self, head: LogHead, kept: Sequence[KeptCheckpoint]) -> None:
        stops = self.stops(kept)
        pending = next(stops, None)
        while True:
            end = min(self.position + self.chunk, self.size)
            batch = []
            while pending is not None and pending.size <= end:
                batch.append(pending)
                pending = next(stops, None)
            roots = {self.position: fold_subtrees(self.edge)}
            if end > self.position:
                roots.update(
                    self.run_chunk(end, sorted({s.size for s in batch if s.size > self.position}))
                )
            for stop in batch:
                self.stop(stop, roots[stop.size])
            if end >= self.size:
                break
        while pending is not None:
            self.stop(pending, None)
            pending = next(stops, None)
        while (line := self.pending_cosignature) is not None:
            self.pending_cosignature = next(self.cosignatures, None)
            self.report.problem(
                None, f"cosignature of {line.witness} for size {line.size} has no checkpoint"
            )
        self.report_beyond()
        if self.unexplained is not None and self.verified > self.unexplained:
            self.report.problem(
                None,
                f"the records reproduce the signed root at size "
                f"{self.verified} but not at {self.unexplained}: either "
                "the log key signed a fork, or records were rewritten and "
                f"checkpoint {self.verified} signed again after them",
            )
        self.check_head(head)
        self.check_extra_rows()

    def check_head(self, head: LogHead) -> None:
        """The head's root and right edge are what the next checkpoint and append build on."""
        root = fold_subtrees(self.edge)
        if head.root == root and head.edge == b"".join(self.edge):
            return
        stored = self._stored_edge(self.size, self.edge)
        message = (
            f"head root {head.root.hex()} (or its right edge) differs from the tree the "
            f"records give, root {root.hex()}"
        )
        if (
            stored is not None
            and stored != self.edge
            and head.edge == b"".join(stored)
            and head.root == fold_subtrees(stored)
        ):
            self.report.problem(
                None, message + " (it agrees with the stored tree: see the leaves named)"
            )
        elif self.verified >= self.size:
            # A checkpoint of the whole tree matches the records: only the head row is wrong.
            self.report.problem(
                None,
                message + f"; checkpoint {self.size} matches the records,"
                " so only the head row is wrong",
            )
        else:
            self.report.problem(
                self.verified,
                message + "; the leaves from "
                f"{self.verified} on are covered by no matching checkpoint",
            )

    def check_extra_rows(self) -> None:
        """Rows beyond the tree would be served as tiles or entries: flag them."""
        extra = self._rows(
            "SELECT COUNT(*) FROM ledger_events WHERE leaf_index >= {m}", (self.size,)
        )[0][0]
        if extra:
            self.report.problem(
                self.size, f"{extra} record(s) stored beyond the head size {self.size}"
            )
        for level, top in self._rows(
            "SELECT level, MAX(idx) FROM ledger_hashes GROUP BY level", ()
        ):
            if top >= self.size >> level:
                self.report.problem(
                    None,
                    f"level {level} holds subtree hashes up to index "
                    f"{top}, beyond the tree of {self.size} leaves",
                )

    def check_coverage(self, now: datetime, grace: timedelta) -> None:
        """Leaves no checkpoint covers are not tamper-evident: flag them once they are old."""
        if self.size <= self.covered:
            return
        created = self.session.scalar(
            select(LedgerEvent.created_at).where(LedgerEvent.leaf_index == self.covered)
        )
        count = self.size - self.covered
        what = (
            f"no checkpoint: none of the {count} leaves is in a signed checkpoint"
            if self.covered == 0
            else f"leaves [{self.covered}, {self.size}) are in no signed checkpoint"
        )
        if created is not None and now - created <= grace:
            self.report.warnings.append(
                f"{count} leaf(s) sequenced in the last {grace.total_seconds():g} s are not in "
                "a checkpoint yet"
            )
            return
        age = (
            ""
            if created is None
            else f"; leaf {self.covered} was sequenced {int((now - created).total_seconds())} s ago"
        )
        self.report.problem(
            None,
            f"{what}{age} (more than {grace.total_seconds():g} s: no "
            "checkpointer runs, or checkpoints were deleted)",
        )


def audit(
    session: Session,
    verifier: Verifier,
    chunk: int = CHUNK,
    *,
    witnesses: Sequence[CosignatureVerifier] = (),
    quorum: int = 0,
    kept: Sequence[KeptCheckpoint] = (),
    checkpoint_interval: float = 1.0,
    now: datetime | None = None,
) -> AuditReport:
    """Audit the whole log visible to `session`; `verifier` is the log's key.

    `witnesses` check the stored cosignatures, `kept` are checkpoints kept outside the
    database (witness states), `checkpoint_interval` sets how long leaves may wait for their
    first checkpoint (see MIN_GRACE) and `quorum` only decides a warning.
    """
    head = read_head(session)
    report = AuditReport(size=head.size)
    run = _Audit(session, verifier, report, chunk=chunk, witnesses=witnesses)
    run.run(head, kept)
    grace = max(MIN_GRACE, timedelta(seconds=2 * max(checkpoint_interval, 0.0)))
    run.check_coverage(now or utcnow(), grace)
    if quorum < 1:
        report.warnings.append(
            "no witness quorum (CROSSFIN_WITNESS_QUORUM=0): whoever holds the database and "
            "the log key can rewrite records, hashes and checkpoints alike, and this audit "
            "cannot tell; only witnesses or clients who kept a checkpoint can"
        )
    return report


def audit_database(db: Database, verifier: Verifier, **options: Any) -> AuditReport:
    """Audit in one snapshot (REPEATABLE READ on PostgreSQL; SQLite readers are snapshots).

    A failed audit is also a security event in that database, for the operator's alerts.
    """
    with db.session(readonly=True) as session:
        if db.dialect == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        found = audit(session, verifier, **options)
    if not found.ok:
        security.report(
            db,
            security.SecurityKind.AUDIT_FAILED,
            detail={
                "size": found.size,
                "first_bad_index": found.first_bad_index,
                "problems": len(found.problems),
                "first_problem": found.problems[0][:300],
            },
        )
    return found
