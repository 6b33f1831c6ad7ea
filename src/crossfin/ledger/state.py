"""State commitments: events that pin the full resulting state of the rows they change.

A business row (a financing, a balance, a document, a consent) is an *entity* named
`kind:id`. Its *state projection* is one JSON value built by one function of its domain,
used both when an event records the change and when the audit re-reads the table; its
*state digest* is `sha256:<hex>` of the RFC 8785 form of that projection.

An event commits to states in its record (docs/ledger.md, "State commitments"):

* `"state": {"financing:12": "sha256:...", "balance:7": "sha256:..."}`: a few entities;
* `"state_tree": {"id": ..., "size": n, "root": hex}`: many entities at once (a published
  batch of documents). The leaves, in order, are stored in `ledger_state_leaves`; each
  leaf hash is `SHA-256(0x00 || "kind:id" || 0x00 || digest)`, the root RFC 6962's.

The ledger knows no domain: each domain describes its entities with a `StateView`, and the
application registers the views explicitly at assembly (`crossfin.assembly`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from crossfin.core.canonical import canonical_json, jcs_value
from crossfin.ledger.journal import uuid4_text
from crossfin.ledger.models import StateLeaf
from crossfin.ledger.proofs import append_to_edge
from crossfin.ledger.rfc6962 import fold_subtrees, leaf_hash

DIGEST_PREFIX = "sha256:"
_LEAVES = cast(Table, StateLeaf.__table__)


def entity_key(kind: str, entity_id: int) -> str:
    """The name of one entity in commitments, e.g. `financing:12`."""
    return f"{kind}:{entity_id}"


def state_digest(projection: Any) -> str:
    """`sha256:<hex>` of the RFC 8785 form of a state projection."""
    return DIGEST_PREFIX + hashlib.sha256(canonical_json(projection)).hexdigest()


def state_leaf(key: str, digest: bytes) -> bytes:
    """The RFC 6962 leaf hash of one entity's state in a state tree."""
    return leaf_hash(key.encode("utf-8") + b"\0" + digest)


@dataclass(frozen=True)
class StateRow:
    """One current row: its id, its state projection, and since when it exists (if known).

    `since` lets the audit tell rows older than the first state commitment (an old log:
    "not yet committed") from rows inserted later without any event (a problem).
    """

    id: int
    state: Any
    since: datetime | None


@dataclass(frozen=True)
class StateView:
    """How the audit reads one kind of entity.

    `rows(session)` yields every current row of the table, in id order, with the
    projection the domain's recording code commits to. `blank(state)` is true for a state
    a row may hold without any event (a balance row created empty under a lock, say).
    """

    kind: str
    table: str
    rows: Callable[[Session], Iterator[StateRow]]
    blank: Callable[[Any], bool] | None = None


class StateViews:
    """The registered views, one per kind; filled at assembly, never at import."""

    def __init__(self, views: Iterable[StateView] = ()) -> None:
        self._views: dict[str, StateView] = {}
        for view in views:
            self.register(view)

    def register(self, view: StateView) -> None:
        """Add a view; a second view of the same kind is refused (ValueError)."""
        known = self._views.get(view.kind)
        if known is not None and known != view:
            raise ValueError(f"a state view of kind {view.kind!r} is already registered")
        self._views[view.kind] = view

    def __iter__(self) -> Iterator[StateView]:
        return iter(self._views.values())

    def __len__(self) -> int:
        return len(self._views)

    def get(self, kind: str) -> StateView | None:
        return self._views.get(kind)


# What `crossfin log audit` checks: the CLI registers every domain's views into it.
REGISTRY = StateViews()


class StateTree:
    """Commitments to many entities under one root, for one event (bulk publication).

    Add leaves in any number of calls (each stores its rows at once, so memory stays
    bounded by a call), then put `commitment()` in the event's `state_tree`.
    """

    def __init__(self) -> None:
        self.id = uuid4_text(os.urandom(16))
        self.size = 0
        self._edge: list[bytes] = []

    def add(self, session: Session, states: Iterable[tuple[str, str]]) -> None:
        """Store `(entity key, state digest)` leaves after the ones already added."""
        rows = self.grow(states)
        if rows:
            # Core, not the ORM: a plain executemany.
            session.execute(insert(_LEAVES), rows)

    def grow(self, states: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
        """Add leaves to the tree and return the `ledger_state_leaves` rows the caller must
        store in this transaction (for callers with a faster bulk insert of their own)."""
        rows: list[dict[str, Any]] = []
        leaves: list[bytes] = []
        for position, (key, digest) in enumerate(states, self.size):
            raw = bytes.fromhex(digest.removeprefix(DIGEST_PREFIX))
            rows.append({"tree_id": self.id, "position": position, "entity": key, "digest": raw})
            leaves.append(state_leaf(key, raw))
        if rows:
            grown = append_to_edge(self._edge, leaves, self.size)
            self._edge, self.size = grown.right_edge, grown.size
        return rows

    def commitment(self) -> dict[str, Any]:
        """The record's `state_tree` value."""
        return {"id": self.id, "size": self.size, "root": fold_subtrees(self._edge).hex()}


def columns_of(model: Any, *, leave_out: Iterable[str]) -> tuple[str, ...]:
    """The column names of a mapped class a projection carries: all but `leave_out`.

    Deriving them keeps a column added later inside the commitment without anyone
    remembering to add it.
    """
    left = set(leave_out)
    return tuple(c.key for c in model.__table__.columns if c.key not in left)


def value_of(row: Any, name: str) -> Any:
    """A field of an ORM object, a result row or a plain dict (bulk inserts), as JSON.

    Converted here exactly as `canonical_json` would (bytes to hex, times to RFC 3339 UTC
    text...), so that the projection takes the encoder's fast path: same bytes, a fifth
    of the time.
    """
    value = row[name] if type(row) is dict else getattr(row, name)
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    return jcs_value(value)


def with_children(
    parents: Iterable[Any], children: Iterable[Any], parent_id: str
) -> Iterator[tuple[Any, list[Any]]]:
    """Pair each parent row with its child rows; both streams ordered by the parent id."""
    rest = iter(children)
    child = next(rest, None)
    for parent in parents:
        mine = []
        while child is not None and getattr(child, parent_id) < parent.id:
            child = next(rest, None)  # an orphan: its parent is not there to be audited
        while child is not None and getattr(child, parent_id) == parent.id:
            mine.append(child)
            child = next(rest, None)
        yield parent, mine


class WholeRows:
    """The state of a table whose rows never change once inserted (a caps version, an
    insurance claim, a goods release): every column but `id`, committed by the event
    that inserted the row, and the audit's view of the table."""

    def __init__(self, kind: str, model: Any) -> None:
        self.kind, self.model = kind, model
        self.fields = columns_of(model, leave_out=("id",))

    def state(self, row: Any) -> dict[str, Any]:
        return {name: value_of(row, name) for name in self.fields}

    def commitment(self, row: Any) -> dict[str, str]:
        return {entity_key(self.kind, row.id): state_digest(self.state(row))}

    def views(self) -> list[StateView]:
        """The table's view, for the audit (registered at assembly)."""
        return [StateView(self.kind, self.model.__tablename__, self._rows)]

    def _rows(self, session: Session) -> Iterator[StateRow]:
        model = self.model
        for row in session.scalars(select(model).order_by(model.id)):
            yield StateRow(row.id, self.state(row), row.created_at)
