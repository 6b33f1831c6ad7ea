"""Leader election for the checkpointer: one process per database signs checkpoints.

PostgreSQL: a session advisory lock held on a connection kept for that purpose (it dies
with the connection, so a crashed leader is replaced at the next tick). SQLite: an
exclusive flock on a file next to the database, released when the process exits.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from crossfin.core.db import Database
from crossfin.core.settings import Settings

log = logging.getLogger("crossfin.ledger.checkpointer")

# A fixed 64-bit key: advisory locks are per database, so one key names "the" checkpointer.
ADVISORY_KEY = int.from_bytes(
    hashlib.sha256(b"crossfin:ledger:checkpointer").digest()[:8], "big", signed=True
)


class Election(Protocol):
    """Non-blocking leadership: `acquire` is True while this holder leads."""

    def acquire(self) -> bool: ...

    def release(self) -> None: ...


class FileElection:
    """Leadership by an exclusive flock on a file (SQLite, one machine)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if free; a held lock stays held until release or process exit."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            # flock locks belong to the open file, so two holders in one process exclude too.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


class PgElection:
    """Leadership by a session advisory lock on a connection kept for that purpose."""

    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        """Check the held connection is alive (the lock dies with it), else try to lock."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                log.warning("checkpointer lost its database connection, and the lead with it")
                self._conn.invalidate()
                self._conn = None
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            conn.close()
        except DBAPIError:
            conn.invalidate()  # a closed session holds no lock


def lock_file_path(url: str, data_dir: Path) -> Path:
    """Next to a SQLite database file; in data_dir for an in-memory one."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database + ".checkpointer.lock")
    return data_dir / "checkpointer.lock"


def election_for(db: Database, settings: Settings) -> Election:
    """The election that fits the database engine."""
    if db.dialect == "postgresql":
        return PgElection(db.engine)
    return FileElection(lock_file_path(db.url, settings.data_dir))
