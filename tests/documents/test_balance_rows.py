"""The set-based balance path (`lock_balance_rows`, `store_balances`, `decide_in_order_rows`)
decides as the ORM path does, writes only the rows that changed, and takes the same locks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.core.errors import Conflict, CrossfinError
from crossfin.documents.balance import (
    BalanceRow,
    Claim,
    apply_claims,
    decide_in_order,
    decide_in_order_rows,
    lock_balance_rows,
    lock_balances,
    shortfalls,
    store_balances,
)
from crossfin.documents.models import Document, DocumentBalance
from crossfin.documents.state import balance_commitment
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.models import OrgKind
from support.documents import make_document, use_balance
from support.parties import TEST_ACTOR, make_party


@pytest.fixture
def docs(db: Database) -> list[int]:
    tax = make_party(db, OrgKind.TAX)
    owner = make_party(db, OrgKind.ENTERPRISE)
    return [
        make_document(db, "vat_invoice", source_org_id=tax.org_id, owner_org_id=owner.org_id).id
        for _ in range(4)
    ]


def _balances(db: Database) -> dict[int, tuple[int, int]]:
    with db.session(readonly=True) as session:
        rows = session.execute(
            select(
                DocumentBalance.document_id, DocumentBalance.used_minor, DocumentBalance.active_uses
            )
        )
        return {i: (used, uses) for i, used, uses in rows}


def test_rows_are_created_empty_and_read_as_stored(db: Database, docs: list[int]) -> None:
    use_balance(db, docs[1], 5_000, uses=1)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        rows = lock_balance_rows(uow.session, [docs[2], docs[1], docs[2]])
        assert list(rows) == sorted({docs[1], docs[2]})
        assert (rows[docs[1]].used_minor, rows[docs[1]].active_uses) == (5_000, 1)
        assert (rows[docs[2]].used_minor, rows[docs[2]].active_uses) == (0, 0)
        assert all(r.updated_at.tzinfo is not None and not r.changed for r in rows.values())
        assert lock_balance_rows(uow.session, []) == {}
        uow.commit()
    assert _balances(db) == {docs[1]: (5_000, 1), docs[2]: (0, 0)}


@dataclass
class _Use:
    """A use prepared by a domain: what it asks of each document."""

    claims: list[Claim] = field(default_factory=list)


def _decide(
    db: Database, docs: list[int], asks: list[list[tuple[int, int]]], *, rows: bool
) -> tuple[list[str], dict[str, str]]:
    """Each entry asks (document index, amount, -1: its whole value); refused when a
    balance cannot carry it."""
    states: dict[str, str] = {}

    def reserve(
        use: _Use, balances: dict[int, DocumentBalance] | dict[int, BalanceRow]
    ) -> _Use | CrossfinError:
        if shortfalls(balances, use.claims):
            return Conflict("short")
        apply_claims(balances, use.claims)
        states.update(balance_commitment(balances[c.document.id] for c in use.claims))
        return use

    with UnitOfWork(db, TEST_ACTOR) as uow:
        found = {
            d.id: d for d in uow.session.scalars(select(Document).where(Document.id.in_(docs)))
        }

        def prepare(entry: list[tuple[int, int]]) -> _Use:
            if not entry:
                raise Conflict("nothing asked")
            claims = []
            for i, amount in entry:
                doc = found[docs[i]]
                asked = doc.value_minor if amount < 0 else amount
                claims.append(Claim(doc, "invoice", asked, asked))
            return _Use(claims)

        decide = decide_in_order_rows if rows else decide_in_order
        outcomes = decide(uow.session, asks, prepare, reserve)  # type: ignore[arg-type]
        uow.commit()
    return ["ok" if isinstance(o, _Use) else o.detail for o in outcomes], states


def test_decisions_and_balances_match_the_orm_path(db: Database, docs: list[int]) -> None:
    asks = [[(0, 100)], [(0, -1)], [], [(1, 70), (2, 30)], [(2, -1)], [(3, 10)], [(0, 5)]]
    with_orm, orm_states = _decide(db, docs, asks, rows=False)
    after_orm = _balances(db)
    with UnitOfWork(db, TEST_ACTOR) as uow:  # the same documents, their balances emptied
        for balance in uow.session.scalars(select(DocumentBalance)):
            uow.session.delete(balance)
        uow.commit()
    with_rows, row_states = _decide(db, docs, asks, rows=True)
    assert with_rows == with_orm == ["ok", "short", "nothing asked", "ok", "short", "ok", "ok"]
    assert _balances(db) == after_orm
    assert row_states == orm_states and len(row_states) == 4


def test_only_changed_rows_are_written_and_orm_copies_expire(db: Database, docs: list[int]) -> None:
    use_balance(db, docs[0], 10, uses=1)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        loaded = uow.session.get(DocumentBalance, docs[0])
        assert loaded is not None and loaded.used_minor == 10
        rows = lock_balance_rows(uow.session, docs[:2])
        untouched = rows[docs[1]].updated_at
        rows[docs[0]].used_minor += 5
        rows[docs[0]].active_uses += 1
        store_balances(uow.session, rows.values())
        assert not rows[docs[0]].changed
        assert loaded.used_minor == 15  # reloaded, not the stale copy
        store_balances(uow.session, rows.values())  # nothing changed since: no write
        uow.commit()
    assert _balances(db) == {docs[0]: (15, 2), docs[1]: (0, 0)}
    with db.session(readonly=True) as session:
        assert session.get_one(DocumentBalance, docs[1]).updated_at == untouched


def test_rows_are_locked_until_commit(db: Database, docs: list[int]) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite writers hold the database write lock)")
    order: list[str] = []
    locked = threading.Event()

    def first() -> None:
        with UnitOfWork(db, TEST_ACTOR) as uow:
            rows = lock_balance_rows(uow.session, docs[:2])
            locked.set()
            time.sleep(0.3)
            rows[docs[1]].used_minor = 7
            store_balances(uow.session, rows.values())
            order.append("first commits")
            uow.commit()

    thread = threading.Thread(target=first)
    thread.start()
    assert locked.wait(10)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        balances = lock_balances(uow.session, [docs[1]])  # the ORM path waits on the row
        order.append("second locked")
        assert balances[docs[1]].used_minor == 7
        uow.commit()
    thread.join()
    assert order == ["first commits", "second locked"]
