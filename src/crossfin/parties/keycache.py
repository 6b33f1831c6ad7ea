"""API keys this process verified a moment ago: authentication without a query.

Why: looking a key up costs a query and a hop to a worker thread, ~0.9 ms of server CPU per
request, more than many routes' own work (benchmarks/README.md, issue 15). A key verified
by this process less than TTL_SECONDS ago is trusted again without either.

What makes that safe (docs/api.md, "API keys"):
- Only good keys are kept, never a refusal: an unknown, malformed or revoked key goes to
  the database every time, and is recorded as a security event there.
- The clear key is never kept: an entry holds the SHA-256 of the secret (what the database
  holds too) and is found by the key id; a wrong secret for a known id misses.
- A change to any key, principal or organization made through this process (a revocation,
  a principal disabled or given another role, an organization's seat moved) empties the
  cache when its transaction ends (`_watch`), so this process refuses a revoked key at once.
- A change made by another process (another worker, the CLI) is seen when the entry expires:
  at most TTL_SECONDS later.

Grouped financing registrations authenticate their keys again inside the transaction that
writes them; a refusal there drops the key here too (`discard`).
"""

from __future__ import annotations

import hmac
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Delete, Update

from crossfin.parties.access import Caller
from crossfin.parties.credentials import CALLERS_UNCHANGED, Presented

TTL_SECONDS = 5.0
MAX_KEYS = 4096
# The tables whose rows make up a Caller: a write to any of them may change who a key is.
WATCHED_TABLES = frozenset({"api_keys", "principals", "organizations"})
_CHANGED = "crossfin_callers_changed"

# Bumped by every change to a watched table in this process; entries of an older epoch miss.
_epochs = itertools.count(1)  # next() is atomic under the GIL
_epoch = next(_epochs)


def current_epoch() -> int:
    """The epoch to record before a lookup whose answer will be put in the cache."""
    return _epoch


def invalidate() -> None:
    """Forget every cached key of this process (the next request of each key queries)."""
    global _epoch
    _epoch = next(_epochs)


class VerifiedKeys:
    """key id -> (secret hash, caller, when verified, epoch), least recently used first out."""

    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        size: int = MAX_KEYS,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.ttl, self.size, self._clock = ttl, size, clock
        self._entries: OrderedDict[str, tuple[str, Caller, float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self._clock() if self._clock is not None else time.monotonic()

    def get(self, key: Presented) -> Caller | None:
        """The caller verified for this exact key within the TTL and epoch, else None."""
        with self._lock:
            entry = self._entries.get(key.key_id)
            if entry is None:
                return None
            secret_hash, caller, verified, epoch = entry
            if epoch != _epoch or self.clock() - verified > self.ttl:
                del self._entries[key.key_id]
                return None
            self._entries.move_to_end(key.key_id)
        return caller if hmac.compare_digest(secret_hash, key.secret_hash) else None

    def put(self, key: Presented, caller: Caller, epoch: int | None = None) -> None:
        """Remember a key verified by a lookup that began at `epoch` (current_epoch(),
        taken before the lookup); one that a change has overtaken since is not kept."""
        with self._lock:
            if epoch is not None and epoch != _epoch:
                return
            self._entries[key.key_id] = (key.secret_hash, caller, self.clock(), _epoch)
            self._entries.move_to_end(key.key_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, key_id: str) -> None:
        with self._lock:
            self._entries.pop(key_id, None)


def _watched(statement: object) -> bool:
    """An UPDATE or DELETE of a watched table (a new row changes no cached caller), unless
    it says it changes no caller (a key's last use, credentials.touch_key)."""
    return (
        isinstance(statement, Update | Delete)
        and getattr(statement.table, "name", None) in WATCHED_TABLES
        and not statement.get_execution_options().get(CALLERS_UNCHANGED, False)
    )


# Every engine of the process, so that ORM flushes, Core statements and the CLI's sessions
# are all seen; a check of the statement's class and table, microseconds per statement.
@event.listens_for(Engine, "before_execute")
def _watch(conn: Connection, statement: Any, *_: Any) -> None:
    if _watched(statement):
        conn.info[_CHANGED] = True
        invalidate()  # now, and again when the change is committed (below)


@event.listens_for(Engine, "commit")
def _committed(conn: Connection) -> None:
    # A lookup that ran between the statement and the commit read the old row: its entry
    # carries the epoch bumped above, so this second bump drops it too.
    if conn.info.pop(_CHANGED, False):
        invalidate()


@event.listens_for(Engine, "rollback")
def _rolled_back(conn: Connection) -> None:
    conn.info.pop(_CHANGED, None)
