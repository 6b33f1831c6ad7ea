"""Route helpers of every domain: the authenticated caller, units of work, idempotent writes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crossfin.core import idempotency
from crossfin.core.db import Database
from crossfin.core.errors import CrossfinError, RateLimited, Unauthenticated
from crossfin.core.http.answers import answer_body
from crossfin.core.http.deps import ReadSession, ReplicaSession, end_session, get_db, raw_body
from crossfin.core.http.writes import is_write
from crossfin.core.security import SecurityKind, report
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer
from crossfin.parties.credentials import (
    Presented,
    authenticate_key,
    present,
    touch_key,
)
from crossfin.parties.keycache import VerifiedKeys, current_epoch
from crossfin.parties.security.ratelimit import RateLimiter, Refusal, rate_class


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        error = Unauthenticated("send Authorization: Bearer <API key>")
        error.headers["WWW-Authenticate"] = 'Bearer realm="crossfin"'
        raise error
    return token.strip()


INVALID_TOKEN = 'Bearer realm="crossfin", error="invalid_token"'


async def get_caller(
    request: Request, db: Annotated[Database, Depends(get_db)], session: ReadSession
) -> Caller:
    """Authenticate the bearer key; 401 without one, with a bogus or a revoked one.

    A write (core/http/writes.py) by a read-only role is refused here (403), before any
    route runs: auditors read only, whatever the route forgets to check.

    On the event loop: a key this process verified a moment ago (parties/keycache.py)
    costs neither a query nor a hop to a worker thread; any other goes to the database.
    """
    caller = await _authenticated_async(request, db, session)
    request.state.caller = caller
    await _limit_async(request, db, caller)
    if is_write(request):
        require_writer(caller)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_replica_caller(
    request: Request, db: Annotated[Database, Depends(get_db)], session: ReplicaSession
) -> Caller:
    """`get_caller` on the request's standby session, for listings (core/http/deps.py)."""
    caller = await _authenticated_async(request, db, session)
    request.state.caller = caller
    await _limit_async(request, db, caller)
    return caller


ReplicaCallerDep = Annotated[Caller, Depends(get_replica_caller)]


def authenticate_blocking(request: Request, db: Database, session: Session) -> Caller:
    """`get_caller` for callers already off the event loop (the ledger's hook,
    core/http/participant.py)."""
    caller = _authenticated_request(request, db, session)
    request.state.caller = caller
    _limit(request, db, caller)
    if is_write(request):
        require_writer(caller)
    return caller


async def _authenticated_async(request: Request, db: Database, session: Session) -> Caller:
    """The caller of the request's key: from the cache, else looked up in a worker thread."""
    try:
        presented = _presented(request)
    except Unauthenticated as exc:
        if getattr(exc, "security_kind", None) is not None:
            await run_in_threadpool(note_refused_key, request, db, exc, None)
        raise
    caller = verified_keys(request).get(presented)
    if caller is not None:
        return caller
    return await run_in_threadpool(_authenticated_known, request, db, session, presented)


def _authenticated_request(request: Request, db: Database, session: Session) -> Caller:
    """The caller of the request's key; a refused key is a security event (and a 401)."""
    presented: Presented | None = None
    try:
        presented = _presented(request)
    except Unauthenticated as exc:
        note_refused_key(request, db, exc, presented)
        raise
    caller = verified_keys(request).get(presented)
    return caller if caller is not None else _authenticated_known(request, db, session, presented)


def _authenticated_known(
    request: Request, db: Database, session: Session, presented: Presented
) -> Caller:
    """Look a parsed key up on `session` (blocking); a good one is cached, a refused one is
    a security event (and a 401)."""
    epoch = current_epoch()
    try:
        caller = _authenticated(db, session, presented)
    except Unauthenticated as exc:
        note_refused_key(request, db, exc, presented)
        raise
    verified_keys(request).put(presented, caller, epoch)
    return caller


def note_refused_key(
    request: Request, db: Database, exc: Unauthenticated, presented: Presented | None
) -> None:
    """Record an unknown, malformed or revoked key (not a missing one) as a security
    event; blocking (run it in a thread from the event loop)."""
    kind: SecurityKind | None = getattr(exc, "security_kind", None)
    if kind is not None:
        report(
            db,
            kind,
            address=client_address(request),
            key_id=presented.key_id if presented else None,
            route=route_of(request),
            detail={"reason": exc.detail},
        )


def client_address(request: Request) -> str | None:
    # Behind a proxy run uvicorn with --proxy-headers so this is the real client.
    return request.client.host if request.client else None


def route_of(request: Request) -> str:
    """The route's path template (no ids), or the path when no route matched."""
    return getattr(request.scope.get("route"), "path", None) or request.url.path


def _limiter(request: Request) -> RateLimiter | None:
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    return limiter


def _limit(request: Request, db: Database, caller: Caller) -> None:
    """429 when the caller's key is over its route class's limit; blocking."""
    limiter = _limiter(request)
    if limiter is None or caller.key_id is None:
        return
    refusal = limiter.check(caller.key_id, rate_class(request.method, request.url.path))
    if refusal is not None:
        if refusal.first:
            _note_rate_limited(request, db, caller, refusal)
        raise _too_many(refusal)


async def _limit_async(request: Request, db: Database, caller: Caller) -> None:
    """`_limit` on the event loop: the database only when the local allowance is spent."""
    limiter = _limiter(request)
    if limiter is None or caller.key_id is None:
        return
    route_class = rate_class(request.method, request.url.path)
    local = limiter.local(caller.key_id, route_class)
    refusal = (
        await run_in_threadpool(limiter.take, caller.key_id, route_class)
        if local is False
        else local
    )
    if refusal is not None:
        if refusal.first:
            await run_in_threadpool(_note_rate_limited, request, db, caller, refusal)
        raise _too_many(refusal)


def _note_rate_limited(request: Request, db: Database, caller: Caller, refusal: Refusal) -> None:
    report(
        db,
        SecurityKind.RATE_LIMITED,
        address=client_address(request),
        principal_id=caller.principal_id,
        key_id=caller.key_id,
        route=route_of(request),
        detail={
            "route_class": refusal.route_class,
            "limit": refusal.limit,
            "window_seconds": refusal.window_seconds,
        },
    )


def _too_many(refusal: Refusal) -> RateLimited:
    return RateLimited(
        f"this API key may make {refusal.limit} {refusal.route_class} requests per "
        f"{refusal.window_seconds} s; retry after {refusal.retry_after} s",
        refusal.retry_after,
        route_class=refusal.route_class,
    )


def _presented(request: Request) -> Presented:
    """The request's bearer key, parsed; 401 when missing or malformed."""
    try:
        return present(_bearer(request))
    except Unauthenticated as exc:
        exc.headers.setdefault("WWW-Authenticate", INVALID_TOKEN)
        raise


def _authenticated(db: Database, session: Session, presented: Presented) -> Caller:
    """Look the key up on `session`; record its use (at most once a minute) apart."""
    try:
        caller, stale = authenticate_key(session, presented)
    except Unauthenticated as exc:
        exc.headers["WWW-Authenticate"] = INVALID_TOKEN
        raise
    if stale and caller.key_id:
        with db.session() as writing, writing.begin():
            touch_key(writing, caller.key_id)
    return caller


def verified_keys(request: Request) -> VerifiedKeys:
    keys: VerifiedKeys = request.app.state.verified_keys
    return keys


async def precheck(
    request: Request, db: Database, check: Callable[[Caller], None], trust_recent: bool
) -> tuple[Caller, Presented]:
    """The caller of a write that authenticates again in its own transaction.

    With `trust_recent`, a key this process verified a moment ago skips the query
    (parties/keycache.py says why that is safe); otherwise, or if `check` refuses the
    remembered caller (its role may have changed since), the key is authenticated here
    exactly as `get_caller` does, read-only roles refused as there. A malformed key is
    refused either way.
    """
    try:
        presented = _presented(request)
    except Unauthenticated as exc:
        await run_in_threadpool(note_refused_key, request, db, exc, None)
        raise
    check = _writing(check)
    cache = verified_keys(request)
    caller = cache.get(presented) if trust_recent else None
    if caller is not None:
        try:
            check(caller)
        except CrossfinError:
            caller = None
    checked = caller is not None
    if caller is None:
        epoch = current_epoch()
        caller = await run_in_threadpool(_authenticate_fresh, request, db, presented)
        cache.put(presented, caller, epoch)
    request.state.caller = caller
    await _limit_async(request, db, caller)
    if not checked:
        check(caller)
    return caller, presented


def _writing(check: Callable[[Caller], None]) -> Callable[[Caller], None]:
    """`check` after the rule every write obeys (`require_writer`)."""

    def both(caller: Caller) -> None:
        require_writer(caller)
        check(caller)

    return both


def _authenticate_fresh(request: Request, db: Database, presented: Presented) -> Caller:
    with db.session(readonly=True) as session:
        try:
            return _authenticated(db, session, presented)
        except Unauthenticated as exc:
            note_refused_key(request, db, exc, presented)
            raise


async def read_uow(
    db: Annotated[Database, Depends(get_db)], caller: CallerDep, session: ReadSession
) -> AsyncIterator[UnitOfWork]:
    """A read-only unit of work for GET routes, on the session that authenticated."""
    uow = UnitOfWork(db, caller.actor, readonly=True, session=session)
    try:
        yield uow
    finally:
        await end_session(session, uow.__exit__, None, None, None)


ReadUow = Annotated[UnitOfWork, Depends(read_uow)]


async def replica_uow(
    db: Annotated[Database, Depends(get_db)], caller: ReplicaCallerDep, session: ReplicaSession
) -> AsyncIterator[UnitOfWork]:
    """A read-only unit of work for listings, on the standby session that authenticated:
    what it lists may lag the primary by at most CROSSFIN_READ_MAX_LAG_SECONDS."""
    uow = UnitOfWork(db, caller.actor, readonly=True, session=session)
    try:
        yield uow
    finally:
        await end_session(session, uow.__exit__, None, None, None)


ReplicaUow = Annotated[UnitOfWork, Depends(replica_uow)]


Payload = dict[str, Any] | BaseModel
WriteResult = tuple[Payload, Receipt | None]
"""What a write function returns: the answer's payload and the ledger receipt, if any."""
WriteFn = Callable[[UnitOfWork], WriteResult]


def idempotency_of(request: Request, body: bytes) -> tuple[str | None, str]:
    """The request's Idempotency-Key (checked; None without one) and its fingerprint."""
    key = request.headers.get("idempotency-key")
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    return (
        idempotency.check_key(key) if key is not None else None,
        idempotency.request_fingerprint(request.method, target, body),
    )


def keyed_write(
    request: Request,
    db: Database,
    caller: Caller,
    body: bytes,
    work: Callable[[Callable[[UnitOfWork, int, bytes], None]], tuple[int, bytes]],
) -> tuple[int, bytes, bool]:
    """Run `work` under the request's Idempotency-Key, for writes whose refusals must not
    replay as answers (they record alerts after a rollback, which `Writer` cannot tell): a
    stored answer replays; else
    `work(remember)` runs, and `remember(uow, status, body)` stores its answer in its
    transaction. Returns (status, body, replayed)."""
    key, fingerprint = idempotency_of(request, body)

    def stored() -> idempotency.StoredResponse | None:
        if key is None:
            return None
        with db.session(readonly=True) as session:
            return idempotency.find(session, caller.org_id, key, fingerprint)

    earlier = stored()
    if earlier is not None:
        return earlier.status, earlier.body, True

    def remember(uow: UnitOfWork, status: int, answer: bytes) -> None:
        if key is not None:
            idempotency.remember(uow.session, caller.org_id, key, fingerprint, status, answer)

    try:
        status, answer = work(remember)
    except IntegrityError:
        twin = stored()  # a concurrent request under the same key won: answer as it did
        if twin is None:
            raise
        return twin.status, twin.body, True
    return status, answer, False


def keyed_response(
    status: int, body: bytes, replayed: bool, media: str = "application/json"
) -> Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return Response(body, status_code=status, media_type=media, headers=headers)


class Writer:
    """Runs one state change in one transaction, honouring Idempotency-Key."""

    def __init__(self, request: Request, db: Database, caller: Caller, body: bytes) -> None:
        self.request, self.db, self.caller, self.body = request, db, caller, body
        self.key, self.fingerprint = idempotency_of(request, body)

    def __call__(self, fn: WriteFn, status: int = 201) -> Response:
        try:
            return self._run(fn, status)
        except IntegrityError:
            # A concurrent twin with the same key won the race: answer what it answered.
            replay = self._replay()
            if replay is None:
                raise
            return replay

    def _run(self, fn: WriteFn, status: int) -> Response:
        with UnitOfWork(self.db, self.caller.actor) as uow:
            if self.key is not None:
                stored = idempotency.find(
                    uow.session, self.caller.org_id, self.key, self.fingerprint
                )
                if stored is not None:
                    return _replayed(stored)
            payload, receipt = fn(uow)
            uow.sequence()
            body = answer_body(payload, receipt)
            if self.key is not None:
                idempotency.remember(
                    uow.session, self.caller.org_id, self.key, self.fingerprint, status, body
                )
            uow.commit()
        return Response(body, status_code=status, media_type="application/json")

    def _replay(self) -> Response | None:
        if self.key is None:
            return None
        with self.db.session(readonly=True) as session:
            stored = idempotency.find(session, self.caller.org_id, self.key, self.fingerprint)
        return _replayed(stored) if stored else None


def _replayed(stored: idempotency.StoredResponse) -> Response:
    return Response(
        stored.body,
        status_code=stored.status,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def get_writer(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    caller: CallerDep,
    body: Annotated[bytes, Depends(raw_body)],
    session: ReadSession,
) -> Writer:
    # End the authentication read: the write runs on its own connection and transaction.
    session.rollback()
    return Writer(request, db, caller, body)


WriterDep = Annotated[Writer, Depends(get_writer)]
