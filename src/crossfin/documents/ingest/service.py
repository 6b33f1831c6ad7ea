"""Submitting a signed batch: the one home of each step, whoever submits.

Every entry point goes through these functions and nothing below them: the API routes
(`routes.py`; `crossfin documents submit` is their HTTP client), the portal's upload page
(`pages.py`), the demo loader (`demo/documents.py`) and the benchmark
(`benchmarks/documents_ingest.py`).

- `open_batch`: verify the signed manifest and open its batch (the same manifest again
  finds it: a no-op).
- `submit_chunk`: stage lines from `start` on, then `publish_if_complete`. The lines are
  parsed, digested and validated before the staging transaction, which only appends them.
- `submit_batch`: `open_batch`, then a file holding the whole batch as one chunk from line 0
  (lines already received must be identical and are skipped), then `publish_if_complete`.
- `publish_if_complete`: a batch refused on its root raises its problem
  (`/batch-root-mismatch`); a complete batch is published (one ledger event); any other is
  left as it is. Also what a rerun after an interrupted publication calls.

`tx` says where the transactions are (`crossfin.ledger.uow.Transactions`): `own(db, actor)`
gives each step its own (staging is committed before publication starts; publication runs
again when a concurrent batch took a key first) -- the API, the portal, the benchmark;
`within(uow)` runs them in the caller's unit of work, which the caller commits -- the demo
loader, whose load is all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from crossfin.documents.ingest.batches import (
    SUBMITTING_ROLES,
    get_batch,
    prepare_chunk,
    refusal,
    register_batch,
    stage_chunk,
)
from crossfin.documents.ingest.models import Batch
from crossfin.documents.ingest.publish import publish_batch
from crossfin.documents.kinds.registry import get_kind
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller, require_role

PUBLISH_ATTEMPTS = 3


@dataclass
class Submission:
    """Where a batch stands after a step; `receipt` when this step published it."""

    batch: Batch
    receipt: Receipt | None = None
    created: bool = False  # open_batch: the manifest was new


def open_batch(
    tx: Transactions, caller: Caller, manifest: str, mode: str = "partial"
) -> Submission:
    """Verify a signed manifest and open its batch, or find it (same manifest and mode)."""
    batch, created = tx.write(lambda uow: register_batch(uow, caller, manifest, mode))
    return Submission(batch, created=created)


def submit_chunk(
    tx: Transactions, caller: Caller, ref: str, start: int, body: str, csv_format: bool
) -> Submission:
    """Stage the lines of `body` (JSON Lines, or CSV with its header) as lines `start`...,
    then publish the batch if that completed it."""
    kind = tx.read(lambda uow: _submittable(uow, caller, ref).kind)  # before parsing
    return _stage(tx, caller, ref, kind, start, body, csv_format)


def submit_batch(
    tx: Transactions,
    caller: Caller,
    manifest: str,
    body: str,
    csv_format: bool,
    mode: str = "partial",
) -> Submission:
    """Open the batch of `manifest`, stage `body` (every record of the batch, from line 0)
    unless the batch no longer receives lines, and publish it if complete."""
    batch = open_batch(tx, caller, manifest, mode).batch
    if batch.status == "receiving":
        return _stage(tx, caller, batch.ref, batch.kind, 0, body, csv_format)
    return _publish_if_complete(tx, batch)


def publish_if_complete(tx: Transactions, caller: Caller, ref: str) -> Submission:
    """Publish the caller's batch `ref` if it is complete (again, after an interruption)."""
    return _publish_if_complete(tx, tx.read(lambda uow: _submittable(uow, caller, ref)))


def _submittable(uow: UnitOfWork, caller: Caller, ref: str) -> Batch:
    """The caller's batch `ref`: 404 for one it cannot see (as for none), then 403
    without a source role (so a role never tells whether another's batch exists)."""
    batch = get_batch(uow.session, caller, ref)
    require_role(caller, *SUBMITTING_ROLES)
    return batch


def _stage(
    tx: Transactions, caller: Caller, ref: str, kind: str, start: int, body: str, csv_format: bool
) -> Submission:
    chunk = prepare_chunk(get_kind(kind), start, body, csv_format)  # before any transaction
    batch = tx.write(lambda uow: stage_chunk(uow, caller, ref, chunk))
    return _publish_if_complete(tx, batch)


def _publish_if_complete(tx: Transactions, batch: Batch) -> Submission:
    refused = refusal(batch)
    if refused is not None:
        raise refused
    if batch.status != "complete":
        return Submission(batch)
    batch_id = batch.id

    def publish(uow: UnitOfWork) -> tuple[Batch, Receipt | None]:
        published, receipt = publish_batch(uow, batch_id)
        if receipt is not None:
            uow.sequence()  # the batch row names the leaf of its publication event
            published.leaf_index = receipt.leaf_index
        return published, receipt

    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            return Submission(*tx.write(publish))
        except IntegrityError:  # a concurrent batch took a key first: decide again
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
