"""Bursts of 403 and 404 answers on ids by one caller: someone trying others' records.

Counted in memory, per worker: a row per refusal would put a write on every denied read.
A caller's refusals of one status on routes that name an id (a path parameter) are kept
for `WINDOW` seconds; the `THRESHOLD`-th within it makes one event, and the count starts
again, so a long scan makes one event per THRESHOLD refusals. With several workers a
caller's refusals are split between them, so a burst may need up to workers x THRESHOLD.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from crossfin.core.security import SecurityKind

WINDOW = 60.0
THRESHOLD = 20
MAX_CALLERS = 10_000
KINDS = {403: SecurityKind.FORBIDDEN_BURST, 404: SecurityKind.NOT_FOUND_BURST}


class DenialTally:
    """Recent refusals per (caller, status); `count` says when one completes a burst."""

    def __init__(
        self,
        threshold: int = THRESHOLD,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold, self.window, self.clock = threshold, window, clock
        self._seen: dict[tuple[int, int], deque[float]] = {}
        self._lock = threading.Lock()

    def count(self, principal_id: int, status: int) -> SecurityKind | None:
        """Count one refusal; the burst's kind when it is the threshold-th in the window."""
        kind = KINDS.get(status)
        if kind is None:
            return None
        now = self.clock()
        with self._lock:
            if len(self._seen) >= MAX_CALLERS:
                self._forget(now)
            times = self._seen.setdefault((principal_id, status), deque())
            while times and now - times[0] > self.window:
                times.popleft()
            times.append(now)
            if len(times) < self.threshold:
                return None
            times.clear()
        return kind

    def _forget(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or now - t[-1] > self.window]:
            del self._seen[key]
        if len(self._seen) >= MAX_CALLERS:  # all active: drop the oldest half
            for key in sorted(self._seen, key=lambda k: self._seen[k][-1])[: MAX_CALLERS // 2]:
                del self._seen[key]
