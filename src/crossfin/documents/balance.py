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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.db import insert_for
from crossfin.core.errors import CrossfinError
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
    outcomes: list[P | CrossfinError] = []
    for entry in entries:
        try:
            outcomes.append(prepare(entry))
        except CrossfinError as exc:
            outcomes.append(exc)
    ready = [o for o in outcomes if not isinstance(o, CrossfinError)]
    balances = lock_balances(session, [c.document.id for p in ready for c in p.claims])
    return [o if isinstance(o, CrossfinError) else reserve(o, balances) for o in outcomes]


def lock_balances(session: Session, document_ids: Iterable[int]) -> dict[int, DocumentBalance]:
    """Create missing balance rows, then lock all of them in document id order."""
    ids = sorted(set(document_ids))
    if not ids:
        return {}
    now = utcnow()
    rows = [{"document_id": i, "used_minor": 0, "active_uses": 0, "updated_at": now} for i in ids]
    # One executemany of a fixed statement (cached once), not a VALUES list whose length
    # changes with every batch (compiled and parsed anew each time).
    table = cast(Table, DocumentBalance.__table__)
    session.execute(insert_for(session)(table).on_conflict_do_nothing(), rows)
    query = (
        select(DocumentBalance)
        .where(DocumentBalance.document_id.in_(ids))
        .order_by(DocumentBalance.document_id)
        .with_for_update()
    )
    found = session.scalars(query.execution_options(populate_existing=True)).all()
    return {b.document_id: b for b in found}


@dataclass
class Claim:
    """What one financing asks of one document (see scenarios.base for how it is built)."""

    document: Document
    role: str
    allocated_minor: int  # the loan's share on this document, loan currency
    reserved_minor: int = 0  # what the balance carries, document currency
    fx_rate: str | None = None
    fx_source: str | None = None
    note: str | None = None


def shortfalls(balances: dict[int, DocumentBalance], claims: Sequence[Claim]) -> list[Shortfall]:
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


def apply_claims(balances: dict[int, DocumentBalance], claims: Sequence[Claim]) -> None:
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
