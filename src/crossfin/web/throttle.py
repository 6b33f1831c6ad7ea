"""Slowing password guessing: failed logins counted in memory per username+IP, and per IP."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 15 * 60
PER_USER_AND_IP = 5
PER_IP = 50
PER_USER = 30
# Bound the memory an attacker can make us spend by trying many names.
MAX_KEYS = 50_000


class LoginThrottle:
    """Sliding-window failure counters; one process's view (each worker counts alone)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, ip: str) -> list[tuple[tuple[str, str], int]]:
        name = username.strip().casefold()
        return [(("user+ip", f"{name}\x00{ip}"), PER_USER_AND_IP), (("ip", ip), PER_IP),
                (("user", name), PER_USER)]

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds to wait before this attempt may be checked; 0 when allowed now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, limit in self._keys(username, ip):
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + WINDOW_SECONDS - now)
        return math.ceil(wait)

    def failed(self, username: str, ip: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_KEYS:
                self._prune(now)
            for key, _ in self._keys(username, ip):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times

    def succeeded(self, username: str, ip: str) -> None:
        """A good password clears that user's counter from that address."""
        with self._lock:
            self._failures.pop(self._keys(username, ip)[0][0], None)

    def _prune(self, now: float) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        if len(self._failures) >= MAX_KEYS:
            # Still full: forget the oldest half rather than grow without bound.
            ordered = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in ordered[: len(ordered) // 2]:
                del self._failures[key]
