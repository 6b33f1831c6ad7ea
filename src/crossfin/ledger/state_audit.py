"""The state audit: is every business row what the latest event about it committed to?

Two passes (docs/ledger.md, "State commitments"):

1. the records, in leaf order: the latest commitment per entity (`state`), and every
   state tree (`state_tree`), whose stored leaves must reproduce its root before any of
   them is believed;
2. each registered view's rows, in id order: the digest of the row's projection against
   its entity's latest commitment. What is left of the commitments afterwards are rows
   the log says exist and the table lost.

A row no event commits to is a problem if it came into being after the first event that
carries a commitment; an older one is only counted as "not yet committed" (a log kept
before commitments existed). The audit trusts the records as stored: `crossfin log audit`
checks them against the signed tree first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.db import Database
from crossfin.ledger.integrator import drain
from crossfin.ledger.models import LedgerEvent, StateLeaf
from crossfin.ledger.rfc6962 import root_hash
from crossfin.ledger.state import DIGEST_PREFIX, StateView, StateViews, state_digest, state_leaf

MAX_LISTED = 200
_CHUNK = 4096


@dataclass
class Divergence:
    """One row that is not what the log says: table, id, and the commitment it broke."""

    table: str
    row_id: int
    leaf_index: int | None  # the event whose commitment it breaks (None: no event at all)
    expected: str | None  # the committed digest (None: the row should not exist)
    computed: str | None  # the row's digest now (None: the row is missing)

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "id": self.row_id,
            "leaf_index": self.leaf_index,
            "expected": self.expected,
            "computed": self.computed,
            "reason": self.reason,
        }

    @property
    def reason(self) -> str:
        if self.computed is None:
            return "missing: the latest event about it says it exists"
        if self.leaf_index is None:
            return "no event commits to this row"
        if self.expected is None:
            return "the latest event about it says it no longer exists"
        return "differs from the state the latest event about it committed to"


@dataclass
class StateReport:
    """What the state audit found; `ok` when no row diverges and every tree holds."""

    rows: int = 0
    committed: int = 0
    not_yet_committed: int = 0
    first_commitment: int | None = None  # the leaf of the first event carrying one
    divergent: list[Divergence] = field(default_factory=list)
    divergent_count: int = 0
    problems: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.divergent_count and not self.problems

    def diverges(self, divergence: Divergence) -> None:
        self.divergent_count += 1
        if len(self.divergent) < MAX_LISTED:
            self.divergent.append(divergence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "tables": self.tables,
            "committed": self.committed,
            "not_yet_committed": self.not_yet_committed,
            "first_commitment": self.first_commitment,
            "divergent_count": self.divergent_count,
            "divergent": [d.as_dict() for d in self.divergent],
            "problems": self.problems,
        }

    def lines(self) -> list[str]:
        """One line per divergence, for people."""
        out = []
        for d in self.divergent:
            line = f"{d.table} row {d.row_id}: {d.reason}"
            if d.leaf_index is not None:
                line += f" (event at leaf {d.leaf_index}: {d.expected}; the row: {d.computed})"
            out.append(line)
        if self.divergent_count > len(self.divergent):
            out.append(f"... {self.divergent_count - len(self.divergent)} more rows not listed")
        return out


class _Commitments:
    """The latest committed digest per entity key, from the records in leaf order."""

    def __init__(self, session: Session, report: StateReport) -> None:
        self.session, self.report = session, report
        self.latest: dict[str, tuple[int, str | None]] = {}
        self.first_time: datetime | None = None

    def read(self) -> None:
        trees: list[tuple[int, dict[str, Any]]] = []
        last = -1
        while True:
            query = (
                select(LedgerEvent.leaf_index, LedgerEvent.record, LedgerEvent.created_at)
                .where(LedgerEvent.leaf_index > last)
                .order_by(LedgerEvent.leaf_index)
                .limit(_CHUNK)
            )
            rows = self.session.execute(query).all()
            if not rows:
                break
            for index, raw, created in rows:
                record = bytes(raw)
                if b'"state' in record:
                    self._record(index, record, created, trees)
            last = rows[-1][0]
        for index, tree in trees:
            self._tree(index, tree)

    def _record(
        self, index: int, record: bytes, created: datetime, trees: list[tuple[int, Any]]
    ) -> None:
        try:
            parsed = json.loads(record)
        except ValueError:
            self.report.problems.append(f"leaf {index}: the record is not JSON")
            return
        state, tree = parsed.get("state"), parsed.get("state_tree")
        if not state and not tree:
            return
        if self.report.first_commitment is None:
            self.report.first_commitment, self.first_time = index, created
        for key, digest in (state or {}).items():
            self.latest[key] = (index, digest)
        if tree:
            trees.append((index, tree))

    def _tree(self, index: int, tree: dict[str, Any]) -> None:
        """Believe a tree's stored leaves only if they reproduce the root the event holds."""
        query = (
            select(StateLeaf.entity, StateLeaf.digest)
            .where(StateLeaf.tree_id == str(tree.get("id")))
            .order_by(StateLeaf.position)
        )
        leaves = [(key, bytes(digest)) for key, digest in self.session.execute(query)]
        root = root_hash(state_leaf(key, digest) for key, digest in leaves)
        if len(leaves) != tree.get("size") or root.hex() != tree.get("root"):
            self.report.problems.append(
                f"leaf {index}: the {len(leaves)} stored state leaves of its tree "
                f"give root {root.hex()}, the event committed to {tree.get('size')} "
                f"leaves with root {tree.get('root')} (ledger_state_leaves was altered)"
            )
            return
        for key, digest in leaves:
            known = self.latest.get(key)
            if known is None or known[0] < index:
                self.latest[key] = (index, DIGEST_PREFIX + digest.hex())


def _check_view(view: StateView, found: _Commitments, report: StateReport) -> None:
    prefix = view.kind + ":"
    count = 0
    for row in view.rows(found.session):
        count += 1
        digest = state_digest(row.state)
        committed = found.latest.pop(prefix + str(row.id), None)
        if committed is None:
            if view.blank is not None and view.blank(row.state):
                continue
            old = found.first_time is None or (
                row.since is not None and row.since < found.first_time
            )
            if old:
                report.not_yet_committed += 1
            else:
                report.diverges(Divergence(view.table, row.id, None, None, digest))
            continue
        report.committed += 1
        index, expected = committed
        if expected != digest:
            report.diverges(Divergence(view.table, row.id, index, expected, digest))
    report.rows += count
    report.tables[view.table] = count


def audit_state(session: Session, views: StateViews) -> StateReport:
    """Compare every registered view's rows with their latest commitments."""
    report = StateReport()
    found = _Commitments(session, report)
    found.read()
    for view in views:
        _check_view(view, found, report)
    for key in sorted(found.latest):
        kind, _, number = key.rpartition(":")
        lost = views.get(kind)
        index, expected = found.latest[key]
        if lost is None or expected is None or not number.isdigit():
            continue  # a kind no view reads, or a row committed as gone and gone
        report.diverges(Divergence(lost.table, int(number), index, expected, None))
    return report


def audit_state_database(db: Database, views: StateViews) -> StateReport:
    """The state audit in one snapshot (REPEATABLE READ on PostgreSQL).

    Events still queued by group commit are placed first: a row committed with its event
    in the queue would otherwise look changed without one.
    """
    drain(db)
    with db.session(readonly=True) as session:
        if db.dialect == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return audit_state(session, views)
