"""Ledger test helpers: appending events, checking the stored tree, real HTTP servers."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select

from crossfin.core import secrets
from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys
from crossfin.ledger.checkpointer import checkpoint_now
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import PendingEvent, Receipt
from crossfin.ledger.models import LedgerEvent, TreeHash
from crossfin.ledger.proofs import MemoryTree
from crossfin.ledger.rfc6962 import leaf_hash
from crossfin.ledger.sequencer import sequence
from crossfin.ledger.store import read_head
from crossfin.ledger.uow import UnitOfWork
from support.server import free_port, serve  # noqa: F401 - shared by the ledger tests

ACTOR = Actor(None, None, "ledger-test")


def record_events(
    db: Database,
    count: int,
    *,
    per_tx: int = 1,
    actor: Actor = ACTOR,
    parties: frozenset[int] = frozenset(),
) -> list[Receipt]:
    """Record `count` events through units of work, `per_tx` per transaction."""
    receipts: list[Receipt] = []
    for start in range(0, count, per_tx):
        with UnitOfWork(db, actor) as uow:
            for i in range(start, min(count, start + per_tx)):
                receipts.append(
                    uow.record(
                        EventType.ORG_ADDED, subjects={"n": i}, content={"n": i}, parties=parties
                    )
                )
            uow.commit()
    return receipts


def fast_append(db: Database, count: int, batch: int = 5000) -> None:
    """Append `count` small synthetic leaves quickly (bypasses record building)."""
    for start in range(0, count, batch):
        events = []
        for i in range(start, min(count, start + batch)):
            record = b'{"synthetic":%d,"salt":"%s"}' % (i, uuid.uuid4().hex.encode())
            events.append(
                PendingEvent(
                    str(uuid.uuid4()),
                    EventType.ORG_ADDED,
                    record,
                    leaf_hash(record),
                    None,
                    frozenset(),
                )
            )
        with UnitOfWork(db, ACTOR) as uow:
            sequence(uow.session, events)
            uow.session.commit()


def stored_leaves(db: Database) -> list[tuple[int, str, bytes]]:
    """Every (leaf_index, event_id, leaf_hash) in index order."""
    with db.session(readonly=True) as session:
        rows = session.execute(
            select(LedgerEvent.leaf_index, LedgerEvent.event_id, LedgerEvent.leaf_hash).order_by(
                LedgerEvent.leaf_index
            )
        )
        return [(i, e, h) for i, e, h in rows]


def assert_tree_intact(db: Database) -> MemoryTree:
    """No gap, no duplicate; the stored tree equals a MemoryTree over the leaf hashes."""
    leaves = stored_leaves(db)
    assert [i for i, _, _ in leaves] == list(range(len(leaves))), "gap or duplicate index"
    assert len({e for _, e, _ in leaves}) == len(leaves), "an event was sequenced twice"
    tree = MemoryTree(h for _, _, h in leaves)
    with db.session(readonly=True) as session:
        head = read_head(session)
        assert (head.size, head.root) == (tree.size, tree.root())
        rows = session.execute(select(TreeHash.level, TreeHash.idx, TreeHash.hash)).all()
    ids = [(level, n) for level, n, _ in rows]
    assert tree.read_hashes(ids) == [h for _, _, h in rows], "a stored subtree hash differs"
    expected = sum(tree.size >> level for level in range(tree.size.bit_length()))
    assert len(rows) == expected, "stored subtree hashes missing or extra"
    return tree


def _process_worker(url: str, worker: int, threads: int, events: int) -> list[tuple[str, int]]:
    """Body of one test process: its own Database, several threads appending."""
    db = Database(url)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def run(thread: int) -> None:
        actor = Actor(None, None, f"p{worker}t{thread}")
        got = record_events(db, events, per_tx=1 + thread % 3, actor=actor)
        with lock:
            results.extend((r.event_id, -1 if r.leaf_index is None else r.leaf_index) for r in got)

    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    db.dispose()
    return results


def process_worker(args: tuple[str, int, int, int]) -> list[tuple[str, int]]:
    """multiprocessing entry point (a top-level function, importable under spawn)."""
    return _process_worker(*args)


def quiet_settings(settings: Settings) -> Settings:
    """Settings with keys on disk and no background cadence (tests sign when they mean to)."""
    conf = settings.model_copy(update={"checkpoint_interval": 0.0})
    keys.ensure_log_key(conf)
    secrets.ensure_platform_secret(conf)
    return conf


def sign(db: Database, conf: Settings) -> tuple[int, bytes]:
    """Sign a checkpoint now (and ask the configured witnesses); return (size, root)."""
    done = checkpoint_now(db, conf, wait=5)
    assert done.checkpoint is not None
    return done.checkpoint.size, done.checkpoint.root


def log_vkey(conf: Settings) -> str:
    return keys.log_signer(conf).verifier().vkey
