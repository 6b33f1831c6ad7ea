"""Group commit for registrations: one writer thread per process batches concurrent requests.

Why: every write ends by locking the ledger head and committing, and the head lock is held
through the commit's disk flush (about 4.4 ms on the benchmark machine), so commits queue
behind each other, and each registration alone also pays ~15 statements of per-transaction
work. Committed one by one, registrations reached ~70/s over HTTP on the benchmark machine;
grouped, ~270/s in the same conditions (benchmarks/README.md). Each API process queues its
registrations; a writer thread
takes every request waiting, decides them one after another against the same locked
balances (`service.register_many`, exactly the single-request rules), writes the accepted
ones with their ledger events and Idempotency-Key answers, and commits once. Refused
attempts are then recorded in a separate transaction, as for a single request.

If a batch fails as a whole (e.g. a concurrent duplicate external_ref in another process),
each request is re-run in a transaction of its own, so one request never fails another.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError

from crossfin.core import idempotency
from crossfin.core.db import Actor, Database
from crossfin.core.errors import (
    CrossfinError,
    IdempotencyConflict,
    Unauthenticated,
)
from crossfin.core.http.answers import answer_body
from crossfin.core.idempotency import IdempotencyRecord
from crossfin.financing.errors import FinancingRefused
from crossfin.financing.queries import build_out
from crossfin.financing.refusals import record_refusal
from crossfin.financing.schemas import FinancingIn
from crossfin.financing.service import (
    Entry,
    Registered,
    check_maker,
    has_ref,
    ref_taken,
    register_many,
)
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.credentials import Presented, authenticate_many
from crossfin.parties.keycache import VerifiedKeys

log = logging.getLogger("crossfin.financing")
MAX_BATCH = 64


@dataclass
class Job:
    """One registration request waiting for its answer."""

    caller: Caller
    data: FinancingIn
    key: str | None
    fingerprint: str
    presented: Presented | None = None  # authenticated again in the batch when set
    future: Future[Any] = field(default_factory=Future)


@dataclass(frozen=True)
class Answer:
    """A JSON body to send, and whether it replays an earlier answer."""

    status: int
    body: bytes
    replayed: bool = False


class Combiner:
    """Per-process queue and writer thread; `submit` returns a future of an Answer."""

    def __init__(self, db: Database, reservation_hours: int,
                 keys: VerifiedKeys | None = None, max_batch: int = MAX_BATCH):
        self.db, self.hours, self.max_batch = db, reservation_hours, max_batch
        self.keys = keys if keys is not None else VerifiedKeys()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="financing-combiner",
                                        daemon=True)
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
        try:
            results = self._commit(batch)
        except Exception:
            log.warning("a registration batch failed; re-running its %d requests alone",
                        len(batch), exc_info=True)
            results = [self._alone(job) for job in batch]
        self._record_refusals([(job.caller.actor, r) for job, r in zip(batch, results, strict=True)
                               if isinstance(r, FinancingRefused)])
        for job, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                job.future.set_exception(result)
            else:
                job.future.set_result(result)

    def _commit(self, batch: list[Job]) -> list[Answer | BaseException]:
        """Decide and write the whole batch in one transaction."""
        results: list[Answer | BaseException | None] = [None] * len(batch)
        with UnitOfWork(self.db, Actor(None, None, "financing-combiner")) as uow:
            self._authorize(uow, batch, results)
            todo = self._replays(uow, batch, results)
            entries = [Entry(batch[i].data, batch[i].caller.org_id,
                             batch[i].caller.principal_id, actor=batch[i].caller.actor)
                       for i in todo]
            outcomes = register_many(uow, entries, self.hours)
            uow.sequence()
            # From here the ledger head is locked until COMMIT: build only the bodies that
            # must be stored with an Idempotency-Key now, the others after the commit.
            later = []
            for i, outcome in zip(todo, outcomes, strict=True):
                if isinstance(outcome, CrossfinError):
                    results[i] = outcome
                elif batch[i].key is not None:
                    results[i] = self._answer(uow, batch[i], outcome)
                else:
                    later.append((i, outcome))
            uow.commit()
        for i, done in later:  # committed: a failure here must not re-run the batch
            try:
                results[i] = self._answer(None, batch[i], done)
            except Exception as exc:  # noqa: BLE001  (that request answers 500)
                results[i] = exc
        deferred = [i for i, r in enumerate(results) if r is None]
        for i in deferred:  # a second request with the same Idempotency-Key: now replays
            results[i] = self._alone(batch[i])
        return [r for r in results if r is not None]

    def _authorize(self, uow: UnitOfWork, batch: list[Job],
                   results: list[Answer | BaseException | None]) -> None:
        """Authenticate the batch's keys again (one query, in this transaction: the request
        only pre-checked them) and check that each caller may register; the jobs refused
        get their 401 or 403, the others the caller as the database has it now."""
        checked = authenticate_many(uow.session, {j.presented for j in batch if j.presented})
        for i, job in enumerate(batch):
            if job.presented is None:
                continue
            outcome = checked[job.presented]
            if isinstance(outcome, Unauthenticated):
                self.keys.discard(job.presented.key_id)
                results[i] = Unauthenticated(outcome.detail)  # one exception per request
                continue
            caller = outcome[0]
            try:
                check_maker(caller)
            except CrossfinError as exc:
                results[i] = exc
                continue
            job.caller = caller

    def _replays(self, uow: UnitOfWork, batch: list[Job],
                 results: list[Answer | BaseException | None]) -> list[int]:
        """Answer stored Idempotency-Keys (one query); return the indexes to register."""
        live = [i for i, result in enumerate(results) if result is None]  # not refused
        idents = {(batch[i].caller.org_id, batch[i].key) for i in live
                  if batch[i].key is not None}
        stored = {(r.org_id, r.key): r for r in uow.session.scalars(
            select(IdempotencyRecord).where(tuple_(
                IdempotencyRecord.org_id, IdempotencyRecord.key).in_(idents)))} \
            if idents else {}
        todo, seen = [], set()
        for i in live:
            job = batch[i]
            if job.key is None:
                todo.append(i)
                continue
            ident = (job.caller.org_id, job.key)
            if ident in seen:
                continue  # left None: re-run after this batch commits, then it replays
            seen.add(ident)
            row = stored.get(ident)
            if row is None:
                todo.append(i)
            elif row.fingerprint != job.fingerprint:
                results[i] = IdempotencyConflict(
                    "this Idempotency-Key was used with a different request", key=job.key)
            else:
                results[i] = Answer(row.status, row.body, replayed=True)
        return todo

    @staticmethod
    def _answer(uow: UnitOfWork | None, job: Job, done: Registered) -> Answer:
        """The 201 body; stored with the job's Idempotency-Key in `uow` (then required)."""
        docs = {i: (d.kind, d.key) for i, d in done.documents.items()}
        body = answer_body(build_out(done.financing, done.uses, docs, done.enterprise_uscc),
                           done.receipt)
        if job.key is not None:
            assert uow is not None
            idempotency.remember(uow.session, job.caller.org_id, job.key, job.fingerprint,
                                 201, body)
        return Answer(201, body)

    def _alone(self, job: Job) -> Answer | BaseException:
        """One request in its own transaction, with the Writer's conflict handling.

        Never raises: an error becomes the request's answer, since one escaping here would
        end the writer thread and leave every later registration of the process waiting.
        """
        try:
            try:
                return self._commit([job])[0]
            except IntegrityError as exc:
                return self._after_conflict(job, exc)
        except Exception as exc:  # noqa: BLE001  (handed to the waiting request)
            return exc

    def _after_conflict(self, job: Job, exc: IntegrityError) -> Answer | BaseException:
        with self.db.session(readonly=True) as session:
            if job.key is not None:
                stored = idempotency.find(session, job.caller.org_id, job.key, job.fingerprint)
                if stored is not None:
                    return Answer(stored.status, stored.body, replayed=True)
            if has_ref(session, job.caller.org_id, job.data.external_ref):
                return ref_taken()
        return exc

    def _record_refusals(self, refusals: list[tuple[Actor, FinancingRefused]]) -> None:
        """The regulator's record of refused attempts, in a transaction of its own."""
        if not refusals:
            return
        try:
            with UnitOfWork(self.db, refusals[0][0]) as uow:
                for actor, refusal in refusals:
                    uow.actor = actor  # each attempt's events are its own bank's
                    record_refusal(uow, refusal)
                uow.commit()
        except Exception:  # the refusal answers matter more than their record
            log.exception("could not record refused financing attempts")
