"""The one cross-bank balance per document: reading it, reserving on it, releasing it.

Every use of a document (a financing today, a payment next) goes through these functions;
the uses themselves belong to their domain (financing/uses.py).

Locking (docs/financing.md): a change first makes sure every balance row exists
(INSERT ... ON CONFLICT DO NOTHING, in document id order), then locks all of them with one
`SELECT ... ORDER BY document_id FOR UPDATE`, so two financings resting on overlapping
documents always queue in the same order and cannot deadlock. On SQLite the transaction
already holds the database write lock (BEGIN IMMEDIATE). The check and the update happen
under those locks, in the transaction that records the ledger event; the ledger head is
locked after them, at commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from crossfin.core.clock import utcnow
from crossfin.core.db import insert_for
from crossfin.core.errors import CrossfinError
from crossfin.documents.docref import DocRef
from crossfin.documents.errors import Shortfall
from crossfin.documents.models import Document, DocumentBalance


def remaining_minor(session: Session, documents: Iterable[Document]) -> dict[int, int]:
    """Value minus active uses per document id (never below zero), in minor units.

    A single-use document in use has nothing left, whatever its value.
    """
    docs = list(documents)
    if not docs:
        return {}
    ids = [d.id for d in docs]
    query = select(
        DocumentBalance.document_id, DocumentBalance.used_minor, DocumentBalance.active_uses
    ).where(DocumentBalance.document_id.in_(ids))
    rows = {r.document_id: r for r in session.execute(query)}
    left: dict[int, int] = {}
    for doc in docs:
        row = rows.get(doc.id)
        if row is not None and doc.single_use and row.active_uses > 0:
            left[doc.id] = 0
        else:
            left[doc.id] = max(doc.value_minor - (row.used_minor if row else 0), 0)
    return left


class Prepared(Protocol):
    """A use prepared by its domain (a financing, a payment): what it asks of each document."""

    @property
    def claims(self) -> Sequence[Claim]: ...


E = TypeVar("E")
P = TypeVar("P", bound=Prepared)


def decide_in_order(
    session: Session,
    entries: Sequence[E],
    prepare: Callable[[E], P],
    reserve: Callable[[P, dict[int, DocumentBalance]], P | CrossfinError],
) -> list[P | CrossfinError]:
    """Each entry prepared (or a CrossfinError saying why not), then reserved on the
    balances of every prepared one, locked at once (`lock_balances`), one after another:
    exactly as if the entries had come one by one. Financing and payments decide alike."""
    outcomes = _prepare_each(entries, prepare)
    ready = [o for o in outcomes if not isinstance(o, CrossfinError)]
    balances = lock_balances(session, [c.document.id for p in ready for c in p.claims])
    return [o if isinstance(o, CrossfinError) else reserve(o, balances) for o in outcomes]


def decide_in_order_rows(
    session: Session,
    entries: Sequence[E],
    prepare: Callable[[E], P],
    reserve: Callable[[P, dict[int, BalanceRow]], P | CrossfinError],
) -> list[P | CrossfinError]:
    """`decide_in_order` for thousands of entries: the same decisions under the same locks,
    but the balances are plain rows (`lock_balance_rows`) written back with one statement
    (`store_balances`) once every entry is decided, not ORM objects flushed one by one."""
    outcomes = _prepare_each(entries, prepare)
    ready = [o for o in outcomes if not isinstance(o, CrossfinError)]
    balances = lock_balance_rows(session, [c.document.id for p in ready for c in p.claims])
    decided = [o if isinstance(o, CrossfinError) else reserve(o, balances) for o in outcomes]
    store_balances(session, balances.values())
    return decided


def _prepare_each(entries: Sequence[E], prepare: Callable[[E], P]) -> list[P | CrossfinError]:
    outcomes: list[P | CrossfinError] = []
    for entry in entries:
        try:
            outcomes.append(prepare(entry))
        except CrossfinError as exc:
            outcomes.append(exc)
    return outcomes


def lock_balances(session: Session, document_ids: Iterable[int]) -> dict[int, DocumentBalance]:
    """Create missing balance rows, then lock all of them in document id order."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    _create_missing(session, ids, utcnow())
    query = (
        select(DocumentBalance)
        .where(DocumentBalance.document_id.in_(ids))
        .order_by(DocumentBalance.document_id)
        .with_for_update()
    )
    found = session.scalars(query.execution_options(populate_existing=True)).all()
    return {b.document_id: b for b in found}


def _create_missing(session: Session, ids: list[int], now: datetime) -> None:
    """INSERT ... ON CONFLICT DO NOTHING of an empty balance per id, in id order."""
    rows = [{"document_id": i, "used_minor": 0, "active_uses": 0, "updated_at": now} for i in ids]
    # One executemany of a fixed statement (cached once), not a VALUES list whose length
    # changes with every batch (compiled and parsed anew each time).
    session.execute(insert_for(session)(_TABLE).on_conflict_do_nothing(), rows)


_TABLE = cast(Table, DocumentBalance.__table__)


@dataclass(eq=False)
class BalanceRow:
    """One locked balance as plain data (`lock_balance_rows`), with what it held when
    locked, so that `store_balances` writes back only the rows that changed."""

    document_id: int
    used_minor: int
    active_uses: int
    updated_at: datetime
    locked: tuple[int, int, datetime] | None = None

    def __post_init__(self) -> None:
        if self.locked is None:
            self.locked = (self.used_minor, self.active_uses, self.updated_at)

    @property
    def changed(self) -> bool:
        return (self.used_minor, self.active_uses, self.updated_at) != self.locked


# PostgreSQL: one statement each, with the ids as one array parameter (`%b`: psycopg sends
# it in binary, half the cost of the text form for 10,000 ids). The empty rows go
# in in id order (as `lock_balances`'s executemany does), then one SELECT ... FOR UPDATE
# locks them all in document id order: the same locks, in the same order, as the ORM path.
_PG_CREATE = (
    "INSERT INTO document_balances (document_id, used_minor, active_uses, updated_at) "
    "SELECT id, 0, 0, %b FROM unnest(%b::bigint[]) AS t(id) ORDER BY id "
    "ON CONFLICT DO NOTHING"
)
_PG_LOCK = (
    "SELECT document_id, used_minor, active_uses, updated_at FROM document_balances "
    "WHERE document_id = ANY(%b::bigint[]) ORDER BY document_id FOR UPDATE"
)
_PG_STORE = (
    "UPDATE document_balances AS b SET used_minor = v.used, active_uses = v.uses, "
    "updated_at = v.at FROM unnest(%b::bigint[], %b::bigint[], %b::integer[], "
    "%b::timestamptz[]) AS v(id, used, uses, at) WHERE b.document_id = v.id"
)


def lock_balance_rows(session: Session, document_ids: Iterable[int]) -> dict[int, BalanceRow]:
    """`lock_balances`, returning plain rows: the same rows created and locked in the same
    order, read as tuples rather than ORM objects. Write them back with `store_balances`."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    session.flush()  # the raw statements below must see any balance the ORM changed
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        conn = session.connection()
        conn.exec_driver_sql(_PG_CREATE, (now, ids))
        found = [
            (i, used, uses, at.astimezone(UTC))
            for i, used, uses, at in conn.exec_driver_sql(_PG_LOCK, (ids,))
        ]
    else:  # SQLite: the transaction holds the write lock already (BEGIN IMMEDIATE)
        _create_missing(session, ids, now)
        c = _TABLE.c
        query = (
            select(c.document_id, c.used_minor, c.active_uses, c.updated_at)
            .where(c.document_id.in_(ids))
            .order_by(c.document_id)
        )
        found = [tuple(r) for r in session.execute(query)]
    return {i: BalanceRow(i, used, uses, at) for i, used, uses, at in found}


def store_balances(session: Session, balances: Iterable[BalanceRow]) -> None:
    """Write back the rows that changed since `lock_balance_rows` locked them: one
    `UPDATE ... FROM unnest(...)` on PostgreSQL, one executemany on SQLite."""
    changed = [b for b in balances if b.changed]
    if not changed:
        return
    if session.get_bind().dialect.name == "postgresql":
        columns = (
            [b.document_id for b in changed],
            [b.used_minor for b in changed],
            [b.active_uses for b in changed],
            [b.updated_at for b in changed],
        )
        session.connection().exec_driver_sql(_PG_STORE, columns)
    else:
        c = _TABLE.c
        statement = (
            update(_TABLE)
            .where(c.document_id == bindparam("b_id"))
            .values(used_minor=bindparam("b_used"), active_uses=bindparam("b_uses"))
            .values(updated_at=bindparam("b_at"))
        )
        session.execute(
            statement,
            [
                {"b_id": b.document_id, "b_used": b.used_minor, "b_uses": b.active_uses}
                | {"b_at": b.updated_at}
                for b in changed
            ],
        )
    for b in changed:
        b.locked = (b.used_minor, b.active_uses, b.updated_at)
        # An ORM copy loaded earlier in this session would now be stale.
        loaded = session.identity_map.get(identity_key(DocumentBalance, b.document_id))
        if loaded is not None:
            session.expire(loaded)


@dataclass
class Claim:
    """What one financing asks of one document (see scenarios.base for how it is built)."""

    document: Document | DocRef  # DocRef on bulk paths: no ORM object per document
    role: str
    allocated_minor: int  # the loan's share on this document, loan currency
    reserved_minor: int = 0  # what the balance carries, document currency
    fx_rate: str | None = None
    fx_source: str | None = None
    note: str | None = None


class Balance(Protocol):
    """A locked balance: an ORM `DocumentBalance` (`lock_balances`) or a plain
    `BalanceRow` (`lock_balance_rows`); the checks below read and raise either alike."""

    document_id: int
    used_minor: int
    active_uses: int
    updated_at: datetime


def shortfalls(balances: Mapping[int, Balance], claims: Sequence[Claim]) -> list[Shortfall]:
    """The claims the locked balances cannot carry (empty when all fit)."""
    short: list[Shortfall] = []
    for claim in claims:
        doc = claim.document
        balance = balances[doc.id]
        if doc.single_use:
            left = 0 if balance.active_uses > 0 else doc.value_minor
            fits = balance.active_uses == 0
        else:
            left = max(doc.value_minor - balance.used_minor, 0)
            fits = claim.reserved_minor <= left
        if not fits:
            short.append(
                Shortfall(
                    doc.id,
                    doc.kind,
                    doc.key,
                    doc.currency,
                    left,
                    claim.reserved_minor,
                    doc.single_use,
                )
            )
    return short


def apply_claims(balances: Mapping[int, Balance], claims: Sequence[Claim]) -> None:
    """Raise the locked balances by the claims; the caller has checked `shortfalls` first."""
    now = utcnow()
    for claim in claims:
        balance = balances[claim.document.id]
        balance.used_minor += claim.reserved_minor
        balance.active_uses += 1 if claim.document.single_use else 0
        balance.updated_at = now


def give_back(
    balance: DocumentBalance, amount_minor: int, *, ends_use: bool, now: datetime | None = None
) -> None:
    """Lower a locked balance by `amount_minor`; `ends_use` ends one single-use hold too.

    Precondition: `balance` was locked by `lock_balances` in this transaction.
    """
    balance.used_minor = max(balance.used_minor - amount_minor, 0)
    if ends_use:
        balance.active_uses = max(balance.active_uses - 1, 0)
    balance.updated_at = now or utcnow()


def split_pro_rata(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights`, summing exactly to `total`.

    Largest remainder: each part gets the floor of its share, then the parts with the
    largest remainders (ties: the earlier one) get one more unit. Precondition: weights are
    non-negative with a positive sum; with total <= sum(weights), no part exceeds its weight.
    """
    whole = sum(weights)
    if whole <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(parts)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[i] += 1
    return parts
