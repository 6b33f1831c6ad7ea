"""API keys this process verified recently: a pre-check for writes that re-authenticate.

Why: authenticating a request costs a database query and a hop to a worker thread, about
0.9 ms of server CPU, as much as the rest of a grouped financing registration
(benchmarks/README.md). Grouped registrations authenticate again, for the whole batch in
one query, inside the transaction that writes them; so the request itself only needs to
turn away what is certainly not a good key before its body is validated, and a key seen
good a moment ago can skip the query.

This cache is never the last word: nothing is written or read on its say-so. A key revoked
or a principal disabled after it was cached is refused by the batch's own check (401,
nothing written), which then drops it here.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import OrderedDict

from crossfin.parties.access import Caller
from crossfin.parties.credentials import Presented

TTL_SECONDS = 60.0
MAX_KEYS = 4096


class VerifiedKeys:
    """key id -> (secret hash, caller, when verified), least recently used dropped first."""

    def __init__(self, ttl: float = TTL_SECONDS, size: int = MAX_KEYS) -> None:
        self.ttl, self.size = ttl, size
        self._entries: OrderedDict[str, tuple[str, Caller, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Presented) -> Caller | None:
        """The caller verified for this exact key within the TTL, else None."""
        with self._lock:
            entry = self._entries.get(key.key_id)
            if entry is None:
                return None
            secret_hash, caller, verified = entry
            if time.monotonic() - verified > self.ttl:
                del self._entries[key.key_id]
                return None
            self._entries.move_to_end(key.key_id)
        return caller if hmac.compare_digest(secret_hash, key.secret_hash) else None

    def put(self, key: Presented, caller: Caller) -> None:
        with self._lock:
            self._entries[key.key_id] = (key.secret_hash, caller, time.monotonic())
            self._entries.move_to_end(key.key_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, key_id: str) -> None:
        with self._lock:
            self._entries.pop(key_id, None)
