"""Reads on a real streaming standby: used while it keeps up, left when its replay is paused
beyond the lag bound, when it is down, and when it is promoted (no longer a standby)."""

from __future__ import annotations

import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from crossfin.core.db import Database
from crossfin.ops.postgres import (
    Node,
    PostgresUnavailable,
    Tools,
    find_bindir,
    give_to_server_user,
    server_user,
)

pytestmark = pytest.mark.slow


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _servers_or_skip() -> Path:
    try:
        server_user()
        return find_bindir()
    except PostgresUnavailable as exc:
        pytest.skip(f"needs the PostgreSQL server binaries (and, as root, a postgres user): {exc}")


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Node, Node]]:
    """A primary and a streaming standby; replication asynchronous, so that a paused
    replay lets the standby fall behind instead of holding the primary's commits."""
    bindir = _servers_or_skip()
    workdir = Path(tempfile.mkdtemp(prefix="crossfin-standby-test-"))
    give_to_server_user(workdir)
    tools = Tools(bindir, workdir)
    primary = Node("pg_a", workdir / "pg_a", _port(), tools)
    standby = Node("pg_b", workdir / "pg_b", _port(), tools)
    try:
        primary.initdb()
        primary.start()
        primary.set_synchronous(False)
        standby.clone_from(primary)
        standby.start()
        primary.wait_standby("pg_b", 30, synchronous=False)
        primary.query("CREATE DATABASE reads")
        primary.query("CREATE TABLE t (n int)", dbname="reads")
        yield primary, standby
    finally:
        standby.kill()
        primary.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _served_by(db: Database) -> int:
    """The port of the server a replica session reads from."""
    with db.session(replica=True) as session:
        return int(session.execute(text("SELECT inet_server_port()")).scalar_one())


def test_reads_follow_the_standby_while_it_keeps_up_and_leave_it_when_it_does_not(
    pair: tuple[Node, Node],
) -> None:
    primary, standby = pair
    db = Database(primary.url("reads"), read_url=standby.url("reads"), read_max_lag=1.0)
    assert db.replica is not None
    try:
        primary.query("INSERT INTO t VALUES (1)", dbname="reads")
        _wait(lambda: db.replica.check().usable)  # type: ignore[union-attr]
        assert _served_by(db) == standby.port
        assert db.replica.status.lag is not None and db.replica.status.lag <= 1.0

        standby.query("SELECT pg_wal_replay_pause()")
        try:
            # The primary keeps writing; the standby stops replaying it.
            def behind() -> bool:
                primary.query("INSERT INTO t VALUES (2)", dbname="reads")
                return not db.replica.check().usable  # type: ignore[union-attr]

            _wait(behind)
            assert "behind" in db.replica.status.reason
            assert _served_by(db) == primary.port
        finally:
            standby.query("SELECT pg_wal_replay_resume()")
        _wait(lambda: db.replica.check().usable)  # type: ignore[union-attr]
        assert _served_by(db) == standby.port

        standby.stop("immediate")
        try:
            assert not db.replica.check().usable
            assert "unreachable" in db.replica.status.reason
            assert _served_by(db) == primary.port
        finally:
            standby.start()
        _wait(lambda: db.replica.check().usable)  # type: ignore[union-attr]
        assert _served_by(db) == standby.port  # no dead connection left in the pool

        standby.promote()  # a standby promoted behind our back is a primary: never read
        assert not db.replica.check().usable
        assert "not a standby" in db.replica.status.reason
        assert _served_by(db) == primary.port
    finally:
        db.dispose()
