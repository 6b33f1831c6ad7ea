"""Group commit for registrations: one writer thread per process batches concurrent requests.

Why: every write ends by locking the ledger head and committing, and the head lock is held
through the commit's disk flush (about 4.4 ms on the benchmark machine), so commits queue
behind each other, and each registration alone also pays ~15 statements of per-transaction
work. Committed one by one, registrations reached ~70/s over HTTP on the benchmark machine;
grouped, ~270/s in the same conditions (benchmarks/README.md). Each API process queues its
registrations; a writer thread takes every request waiting and hands them, as one group, to
`registration.register_applications`, the function every registration goes through: it
decides them one after another against the same locked balances (exactly the
single-request rules), writes the accepted ones with their ledger events and Idempotency-Key
answers (`answers.KeyedAnswers`), and commits once; refused attempts are then recorded in a
separate transaction, as for a single request. If a batch fails as a whole (e.g. a
concurrent duplicate external_ref in another process), each request is re-run in a
transaction of its own, so one request never fails another.

This module is only the queue and the thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from crossfin.core.db import Actor, Database
from crossfin.financing import registration
from crossfin.financing.answers import Answer, Job, KeyedAnswers
from crossfin.ledger.uow import Transactions
from crossfin.parties.keycache import VerifiedKeys

__all__ = ["MAX_BATCH", "Answer", "Combiner", "Job"]

log = logging.getLogger("crossfin.financing")
MAX_BATCH = 64
COMBINER = Actor(None, None, "financing-combiner")


class Combiner:
    """Per-process queue and writer thread; `submit` returns a future of an Answer."""

    def __init__(
        self,
        db: Database,
        reservation_hours: int,
        keys: VerifiedKeys | None = None,
        max_batch: int = MAX_BATCH,
    ):
        self.db, self.hours, self.max_batch = db, reservation_hours, max_batch
        self.keys = keys if keys is not None else VerifiedKeys()
        self.answers = KeyedAnswers(self.keys)
        self.tx = Transactions.own(db, COMBINER)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="financing-combiner", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Future[Any]:
        self._queue.put(job)
        return job.future

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)
                    break
                batch.append(more)
            # A job cancelled while queued (its request task was cancelled: the client went
            # away) is dropped unregistered; the rest can no longer be cancelled, so setting
            # their results below cannot fail and kill this thread.
            batch = [job for job in batch if job.future.set_running_or_notify_cancel()]
            if batch:
                self._run(batch)

    def _run(self, batch: list[Job]) -> None:
        """Register one batch and answer each of its requests (never raises)."""
        try:
            outcomes = registration.register_applications(self.tx, batch, self.hours, self.answers)
        except Exception as exc:
            log.exception("a registration batch could not be answered")
            outcomes = [exc] * len(batch)
        for job, outcome in zip(batch, outcomes, strict=True):
            result = self.answers.answer(outcome)
            if isinstance(result, BaseException):
                job.future.set_exception(result)
            else:
                job.future.set_result(result)
