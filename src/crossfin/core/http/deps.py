"""Request dependencies every route may use: the database, settings, a read session, the body.

They know nothing of callers; parties/http.py authenticates on top of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from crossfin.core.db import Database
from crossfin.core.settings import Settings


def _app(holder: HTTPConnection | Any) -> Any:
    return holder.app if isinstance(holder, HTTPConnection) else holder


def database_of(holder: HTTPConnection | Any) -> Database:
    """The app's Database (api/app.py puts it on `app.state`), from a request or the app."""
    return _app(holder).state.db  # type: ignore[no-any-return]


def settings_of(holder: HTTPConnection | Any) -> Settings:
    """The app's Settings (api/app.py puts them on `app.state`), from a request or the app."""
    return _app(holder).state.settings  # type: ignore[no-any-return]


# Trivial dependencies are async so FastAPI does not hop to a worker thread for them.
async def get_db(request: Request) -> Database:
    return database_of(request)


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def request_session(
    db: Annotated[Database, Depends(get_db)],
) -> AsyncIterator[Session]:
    """One read-only session per request, shared by authentication and the route's reads."""
    # Async: making a session does no I/O, and closing one whose transaction has already
    # ended (writes end it in get_writer) does none either, so neither needs a thread hop.
    session = db.session(readonly=True)
    try:
        yield session
    finally:
        await end_session(session, session.close)


async def end_session(session: Session, close: Callable[..., object], *args: object) -> None:
    """Run `close` in a worker thread only if it has a transaction to roll back (I/O)."""
    if session.in_transaction():
        await run_in_threadpool(close, *args)
    else:
        close(*args)


ReadSession = Annotated[Session, Depends(request_session)]


async def replica_session(
    db: Annotated[Database, Depends(get_db)],
) -> AsyncIterator[Session]:
    """One read-only session per request that may be served by the standby.

    For reads that a slightly stale answer cannot mislead: the log's checkpoints, tiles,
    proofs and receipts, and listings. It is the primary's when no standby is configured,
    or the standby is down or too far behind (core/replica.py).
    """
    session = db.session(replica=True)
    try:
        yield session
    finally:
        await end_session(session, session.close)


ReplicaSession = Annotated[Session, Depends(replica_session)]


async def raw_body(request: Request) -> bytes:
    return await request.body()


SettingsDep = Annotated[Settings, Depends(get_settings)]
