"""Rate limits per API key and route class, in fixed windows shared by every worker.

The count of a key's requests in the current window lives in the database
(`rate_windows`), so several workers and hosts share one limit. A database round trip per
request would cost the hot path (financing registrations run at ~1,000/s), so each worker
takes an allowance in blocks of about 2 % of the limit (at least 1) and spends it locally;
once the database grants nothing more, the worker refuses that key and class until the
window ends without asking again. A block a worker took and did not spend is lost for that
window, so a key may be refused up to (workers - 1) blocks before its limit.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete

from crossfin.core.db import Database, insert_for
from crossfin.core.settings import Settings
from crossfin.parties.security.models import RateWindow

BLOCK_SHARE = 50  # a block is 1/50 of the limit


@dataclass(frozen=True)
class RateClass:
    """Requests whose method and path match count against the class `name`."""

    name: str
    methods: frozenset[str]
    path: re.Pattern[str]


# As api/limits.py classes bodies, these class calls; the first match wins, then every other
# GET/HEAD is `read` and every other method `write`.
RATE_CLASSES = (
    RateClass("registration", frozenset({"POST"}), re.compile(r"^/v1/financings$")),
    RateClass(
        "bulk",
        frozenset({"POST", "PUT"}),
        re.compile(r"^/v1/(documents/verify|batches/[^/]+/lines)$"),
    ),
)
READS = frozenset({"GET", "HEAD", "OPTIONS"})


def rate_class(method: str, path: str) -> str:
    """The route class a request counts against."""
    for candidate in RATE_CLASSES:
        if method in candidate.methods and candidate.path.match(path):
            return candidate.name
    return "read" if method in READS else "write"


def limits_of(settings: Settings) -> dict[str, int]:
    """Each class's limit per window (0: unlimited), from the settings."""
    return {
        "read": settings.rate_limit_read,
        "write": settings.rate_limit_write,
        "registration": settings.rate_limit_registration,
        "bulk": settings.rate_limit_bulk,
    }


@dataclass
class _Allowance:
    window: int
    left: int
    exhausted: bool = False


@dataclass(frozen=True)
class Refusal:
    """A refused request: its class, the limit, when to retry, and whether it is the first
    refusal of this key and class in this worker in this window (worth an event)."""

    route_class: str
    limit: int
    window_seconds: int
    retry_after: int
    first: bool


class RateLimiter:
    """One per app (worker): local allowances, topped up from the shared windows."""

    def __init__(
        self,
        db: Database,
        limits: Mapping[str, int],
        window_seconds: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db, self.limits, self.window, self.clock = db, dict(limits), window_seconds, clock
        self._allowances: dict[tuple[str, str], _Allowance] = {}
        self._lock = threading.Lock()

    def _window(self) -> tuple[int, int]:
        """The current window's start and the seconds until it ends (at least 1)."""
        now = self.clock()
        start = int(now // self.window) * self.window
        return start, max(1, math.ceil(start + self.window - now))

    def local(self, key_id: str, route_class: str) -> Refusal | Literal[False] | None:
        """Decide from this worker's allowance: None (allowed), a Refusal, or False when
        only the database can tell (call `take` then, off the event loop)."""
        limit = self.limits.get(route_class, 0)
        if limit <= 0:
            return None
        start, remaining = self._window()
        with self._lock:
            allowance = self._allowances.get((key_id, route_class))
            if allowance is None or allowance.window != start:
                return False
            if allowance.left > 0:
                allowance.left -= 1
                return None
            if allowance.exhausted:
                return Refusal(route_class, limit, self.window, remaining, first=False)
        return False

    def take(self, key_id: str, route_class: str) -> Refusal | None:
        """Take a block from the shared window (one short transaction), then decide."""
        limit = self.limits.get(route_class, 0)
        if limit <= 0:
            return None
        start, remaining = self._window()
        granted = self._grant(key_id, route_class, start, limit)
        with self._lock:
            allowance = self._allowances.get((key_id, route_class))
            if allowance is None or allowance.window != start:
                allowance = self._allowances[(key_id, route_class)] = _Allowance(start, 0)
                self._forget_old(start)
            allowance.left += granted
            if allowance.left > 0:
                allowance.left -= 1
                return None
            first, allowance.exhausted = not allowance.exhausted, True
        return Refusal(route_class, limit, self.window, remaining, first)

    def check(self, key_id: str, route_class: str) -> Refusal | None:
        """`local`, then `take` if needed: for callers already off the event loop."""
        decided = self.local(key_id, route_class)
        return self.take(key_id, route_class) if decided is False else decided

    def _grant(self, key_id: str, route_class: str, start: int, limit: int) -> int:
        block = max(1, limit // BLOCK_SHARE)
        with self.db.session() as session, session.begin():
            adding = insert_for(session)(RateWindow).values(
                key_id=key_id, route_class=route_class, window_start=start, used=block
            )
            used: int = session.execute(
                adding.on_conflict_do_update(
                    index_elements=["key_id", "route_class", "window_start"],
                    set_={"used": RateWindow.used + block},
                ).returning(RateWindow.used)
            ).scalar_one()
            if used == block:  # this worker opened the window: drop the key's old ones
                session.execute(
                    delete(RateWindow).where(
                        RateWindow.key_id == key_id,
                        RateWindow.route_class == route_class,
                        RateWindow.window_start < start,
                    )
                )
        return max(0, min(block, limit - (used - block)))

    def _forget_old(self, start: int) -> None:
        """Drop allowances of past windows once there are many (called under the lock)."""
        if len(self._allowances) > 10_000:
            for key in [k for k, a in self._allowances.items() if a.window < start]:
                del self._allowances[key]
