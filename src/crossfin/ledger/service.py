"""The log's read side: checkpoints, proofs, tiles, entries and receipts, over a Session.

Everything here reads; nothing locks the head, so readers never slow the sequencer.
Leaf hashes, tiles, proofs and checkpoints are public to every participant; the
record bytes behind a leaf are private to the parties entitled to them (`entry`).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.errors import NotFound, invalid
from crossfin.core.http.participant import Participant
from crossfin.ledger.bundle import format_proof_bundle
from crossfin.ledger.errors import (
    BadTilePath,
    EntryBundleNotServed,
    NotYetCheckpointed,
)
from crossfin.ledger.journal import Receipt
from crossfin.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerEvent,
    LedgerEventParty,
)
from crossfin.ledger.proofs import consistency_proof, inclusion_proof
from crossfin.ledger.sequencer import HEAD_ID
from crossfin.ledger.store import DbHashReader
from crossfin.ledger.tiles import (
    FULL_WIDTH,
    TILE_HEIGHT,
    parse_tile_path,
    tile_path,
    tile_width_at,
)


@dataclass(frozen=True)
class SignedCheckpoint:
    """A stored checkpoint with the cosignature lines of its witnesses appended."""

    size: int
    root: bytes
    note: str
    cosigners: tuple[str, ...]
    created_at: datetime


def latest_checkpoint(session: Session, quorum: int = 0) -> SignedCheckpoint | None:
    """The newest checkpoint cosigned by at least `quorum` witnesses, or None."""
    row = session.scalars(
        select(Checkpoint)
        .where(Checkpoint.cosigners >= quorum)
        .order_by(Checkpoint.size.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    lines = session.execute(
        select(Cosignature.witness, Cosignature.line)
        .where(Cosignature.size == row.size)
        .order_by(Cosignature.witness)
    ).all()
    note = row.note + "".join(line for _, line in lines)
    return SignedCheckpoint(row.size, row.root, note, tuple(w for w, _ in lines), row.created_at)


def checkpoint_note(session: Session, quorum: int, retry_after: int) -> str:
    """The served checkpoint text; NotYetCheckpointed while none meets the quorum."""
    found = latest_checkpoint(session, quorum)
    if found is None:
        raise NotYetCheckpointed(
            f"no checkpoint with {quorum} witness cosignature(s) yet", retry_after
        )
    return found.note


def tree_size(session: Session) -> int:
    """The number of sequenced leaves (the head, which may be ahead of checkpoints)."""
    size = (
        session.connection()
        .exec_driver_sql(f"SELECT size FROM ledger_head WHERE id = {HEAD_ID}")
        .scalar()
    )
    if size is None:
        raise RuntimeError("the ledger has no head row: run `crossfin init`")
    return int(size)


def _require_size(session: Session, size: int, field: str) -> None:
    """NotFound unless the log has reached `size` leaves."""
    current = tree_size(session)
    if size > current:
        raise NotFound(f"{field} {size} is beyond the log, which has {current} leaves")


def inclusion(session: Session, index: int, size: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    if not 0 <= index < size:
        raise invalid("index", f"must be below size ({size})")
    _require_size(session, size, "size")
    return inclusion_proof(DbHashReader(session), index, size)


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    """The RFC 9162 consistency proof from `first` to `second` leaves; 0 < first <= second."""
    if first < 1:
        raise invalid("first", "must be at least 1: an empty tree is consistent with any tree")
    if first > second:
        raise invalid("first", f"must not exceed second ({second})")
    _require_size(session, second, "second")
    return consistency_proof(DbHashReader(session), first, second)


@dataclass(frozen=True)
class Tile:
    """Tile bytes and whether the tile is full (then immutable, cacheable forever)."""

    data: bytes
    full: bool


def tile(session: Session, path: str) -> Tile:
    """Serve `tile/<L>/<N>[.p/<W>]`; BadTilePath (400) or NotFound (404) otherwise."""
    try:
        level, index, width = parse_tile_path(path)
    except EntryBundleNotServed:
        raise NotFound("entry bundles are not published: records are private") from None
    except ValueError as exc:
        raise BadTilePath(str(exc)) from None
    size = tree_size(session)
    available = tile_width_at(level, index, size)
    if width > available:
        raise NotFound(
            f"{tile_path(level, index, width)} is not available: the tree of "
            f"{size} leaves has {available} of its hashes"
        )
    # One range scan, cheaper than an IN-list of 256 ids.
    hashes = DbHashReader(session).read_range(TILE_HEIGHT * level, index * FULL_WIDTH, width)
    return Tile(b"".join(hashes), width == FULL_WIDTH)


def _entitled(session: Session, caller: Participant, index: int) -> bool:
    """The actor, the parties the event names, or a regulator over any of them."""
    orgs = session.scalars(
        select(LedgerEventParty.org_id).where(LedgerEventParty.leaf_index == index)
    ).all()
    return caller.reads_records_of(session, orgs)


def entry(session: Session, caller: Participant, index: int) -> bytes:
    """The record bytes of leaf `index`, only for entitled callers; NotFound otherwise.

    The operator gets no blanket access: it runs the log, not the parties' business,
    and audits the database itself with `crossfin log audit`.
    """
    record = session.scalar(select(LedgerEvent.record).where(LedgerEvent.leaf_index == index))
    if record is None or not _entitled(session, caller, index):
        raise NotFound(f"no log entry {index} visible to you")
    return record


def receipt_bundle(session: Session, index: int, quorum: int, retry_after: int) -> str:
    """A C2SP tlog-proof@v1 bundle for leaf `index` under the newest quorum checkpoint."""
    if index < 0 or index >= tree_size(session):
        raise NotFound(f"the log has no leaf {index}")
    found = latest_checkpoint(session, quorum)
    if found is None or found.size <= index:
        raise NotYetCheckpointed(
            f"leaf {index} is not in a checkpoint with {quorum} cosignature(s) yet", retry_after
        )
    proof = inclusion_proof(DbHashReader(session), index, found.size)
    return format_proof_bundle(index, proof, found.note)


def receipt_object(session: Session, receipt: Receipt, quorum: int) -> dict[str, Any]:
    """A receipt as answers carry it, plus its tlog-proof `bundle` once a checkpoint with
    `quorum` cosignatures covers the leaf (a report PDF attaches this; it verifies offline
    with `crossfin verify receipt`). Requires a committed receipt (its leaf index set)."""
    body = receipt.as_dict()
    if receipt.leaf_index is None:
        raise ValueError("the receipt's event is not committed yet (no leaf index)")
    # Not checkpointed yet: the receipt goes without its bundle, fetched later by index.
    with suppress(NotYetCheckpointed):
        body["bundle"] = receipt_bundle(session, receipt.leaf_index, quorum, retry_after=0)
    return body


@dataclass(frozen=True)
class SizePoint:
    """One point of the tree-size chart: when a checkpoint was signed and its size."""

    time: datetime
    size: int


def size_history(session: Session, points: int = 200) -> list[SizePoint]:
    """About `points` checkpoints spread evenly over the log's life (first and newest
    always among them, so at most points + 1), oldest first."""
    total = session.scalar(select(func.count()).select_from(Checkpoint)) or 0
    step = max(1, -(-total // max(1, points)))
    # Every step-th checkpoint by size, and always the newest one.
    numbered = select(
        Checkpoint.size,
        Checkpoint.created_at,
        func.row_number().over(order_by=Checkpoint.size).label("n"),
    ).subquery()
    rows = session.execute(
        select(numbered.c.created_at, numbered.c.size)
        .where(((numbered.c.n - 1) % step == 0) | (numbered.c.n == total))
        .order_by(numbered.c.size)
    ).all()
    return [SizePoint(t, s) for t, s in rows]
