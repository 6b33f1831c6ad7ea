"""The HTTP answers of registration, for grouped and lone requests alike.

`POST /v1/financings` answers the same JSON bodies and honours Idempotency-Key the same way
whether its request is registered in a batch (combiner.py) or alone (group commit off,
routes.py): both pass `KeyedAnswers` as the hooks of `registration.register_applications`,
which

- authenticates a batch's API keys again, in one query in the registration's transaction,
  when the request only pre-checked its key (`Job.presented`; parties/keycache.py);
- answers stored Idempotency-Keys (one query), refuses a key reused for another request,
  and defers a second request with a key the same batch uses (it replays afterwards);
- stores the 201 body with the registration when the request has a key (after sequencing,
  so the receipt has its leaf index), and builds the others after the commit (`answer`);
- stores a refusal's 409 problem under the request's key, in the transaction that records
  the refusal, so a retry replays the refusal instead of being decided again;
- after a unique violation, replays what a concurrent twin with the same key was answered.

No web framework here: the route turns an Answer into a response.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossfin.core import idempotency
from crossfin.core.errors import IdempotencyConflict, Unauthenticated
from crossfin.core.http.answers import PROBLEM_JSON, answer_body, problem_body
from crossfin.core.idempotency import IdempotencyRecord
from crossfin.financing.errors import Refusal
from crossfin.financing.queries import build_out
from crossfin.financing.registration import DEFER, Application, Hooks
from crossfin.financing.service import Registered
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.credentials import Presented, authenticate_many
from crossfin.parties.keycache import VerifiedKeys


@dataclass(eq=False)
class Job(Application):
    """One registration request: its application, its Idempotency-Key and fingerprint."""

    key: str | None
    fingerprint: str
    presented: Presented | None = None  # authenticated again in the batch when set
    future: Future[Any] = field(default_factory=Future)  # the combiner's answer
    # A refusal's problem names the request (as the app's error handler does), so its
    # stored answer replays byte for byte.
    instance: str = "/v1/financings"
    request_id: str | None = None


@dataclass(frozen=True)
class Answer:
    """A JSON body to send, and whether it replays an earlier answer."""

    status: int
    body: bytes
    replayed: bool = False

    @property
    def media_type(self) -> str:
        """A stored refusal is a problem (RFC 9457), like the answer it replays."""
        return PROBLEM_JSON if self.status >= 400 else "application/json"


class KeyedAnswers(Hooks[Job]):
    """Registration hooks for HTTP requests (see the module's doc)."""

    def __init__(self, keys: VerifiedKeys | None = None) -> None:
        self.keys = keys if keys is not None else VerifiedKeys()

    def authenticate(self, uow: UnitOfWork, jobs: Sequence[Job]) -> list[Any | None]:
        checked = authenticate_many(uow.session, {j.presented for j in jobs if j.presented})
        results: list[Any | None] = []
        for job in jobs:
            outcome = checked[job.presented] if job.presented is not None else None
            if isinstance(outcome, Unauthenticated):
                assert job.presented is not None
                self.keys.discard(job.presented.key_id)
                # One exception per request, of the same class (a revoked key stays one).
                results.append(type(outcome)(outcome.detail))
                continue
            if outcome is not None:
                job.caller = outcome[0]  # as the database has it now
            results.append(None)
        return results

    def replay(self, uow: UnitOfWork, jobs: Sequence[Job]) -> list[Any | None]:
        idents = {(j.caller.org_id, j.key) for j in jobs if j.key is not None}
        stored = (
            {
                (r.org_id, r.key): r
                for r in uow.session.scalars(
                    select(IdempotencyRecord).where(
                        tuple_(IdempotencyRecord.org_id, IdempotencyRecord.key).in_(idents)
                    )
                )
            }
            if idents
            else {}
        )
        results: list[Any | None] = []
        seen = set()
        for job in jobs:
            if job.key is None:
                results.append(None)
                continue
            ident = (job.caller.org_id, job.key)
            if ident in seen:
                results.append(DEFER)  # after this batch commits, it replays
                continue
            seen.add(ident)
            row = stored.get(ident)
            if row is None:
                results.append(None)
            elif row.fingerprint != job.fingerprint:
                results.append(
                    IdempotencyConflict(
                        "this Idempotency-Key was used with a different request", key=job.key
                    )
                )
            else:
                results.append(Answer(row.status, row.body, replayed=True))
        return results

    def keep(self, uow: UnitOfWork, job: Job, done: Registered) -> Any:
        if job.key is None:
            return done  # its body is built after the commit (`answer`)
        body = _body(done)
        idempotency.remember(uow.session, job.caller.org_id, job.key, job.fingerprint, 201, body)
        return Answer(201, body)

    def refused(self, uow: UnitOfWork, job: Job, refusal: Refusal) -> None:
        if job.key is None:
            return
        body = refusal.problem() | {"instance": job.instance, "request_id": job.request_id}
        # In a savepoint: should a concurrent twin have stored an answer under this key
        # first, the unique violation undoes this row only, not the refusal's record.
        try:
            with uow.session.begin_nested():
                idempotency.remember(
                    uow.session,
                    job.caller.org_id,
                    job.key,
                    job.fingerprint,
                    refusal.status,
                    problem_body(body),
                )
        except IntegrityError:
            pass

    def after_conflict(self, session: Session, job: Job) -> Any | None:
        if job.key is None:
            return None
        stored = idempotency.find(session, job.caller.org_id, job.key, job.fingerprint)
        return Answer(stored.status, stored.body, replayed=True) if stored else None

    @staticmethod
    def answer(outcome: Any) -> Answer | BaseException:
        """A registration outcome as the request's answer, or the error to raise; after the
        commit, so a failure here is this request's alone (never raises)."""
        if isinstance(outcome, Registered):
            try:
                return Answer(201, _body(outcome))
            except Exception as exc:  # noqa: BLE001  (that request answers 500)
                return exc
        return outcome  # type: ignore[no-any-return]


def _body(done: Registered) -> bytes:
    """The 201 body: the financing as GET answers it, and the registration's receipt."""
    docs = {i: (d.kind, d.key) for i, d in done.documents.items()}
    return answer_body(
        build_out(done.financing, done.uses, docs, done.enterprise_uscc), done.receipt
    )
