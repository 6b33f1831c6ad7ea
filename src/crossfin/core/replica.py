"""Reads from a PostgreSQL standby while it is up and close enough behind the primary.

`Database` (core/db.py) asks `ReadReplica.usable()` whenever a session that may read stale
data is opened (`db.session(replica=True)`). The answer is cached: at most once a
second (`CHECK_SECONDS`) one caller probes both servers on two small dedicated pools (so a
busy request pool never delays the probe), and everyone else reuses the last answer.

The lag is the age of the newest primary position the standby has replayed:

* the probe reads the primary's WAL position first, then the standby's replay position;
  if the standby has replayed at least what the primary had written a moment before, it
  is not behind (lag 0), however long ago the last transaction was;
* otherwise the lag is the time since the primary was at a position the standby has now
  replayed, from the positions the earlier probes saw; on the first probes, when no earlier
  sample is old enough, it is at least the time since the standby replayed its last
  transaction (`pg_last_xact_replay_timestamp()`), so a standby that is behind is never
  taken for an up-to-date one.

The standby is not used when it cannot be reached, when it is not in recovery (a promoted
or stray primary must never serve our reads), or when its lag exceeds the bound. When the
primary cannot be reached but the standby can, reads stay on the standby: there is no
fallback to go to, and nothing new is being written that it could miss.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine

log = logging.getLogger("crossfin.core.replica")

CHECK_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 2
# Positions the primary was at, one per probe: enough to date a lag well past the bound.
MAX_SAMPLES = 600


@dataclass(frozen=True)
class StandbyState:
    """What the standby says about itself."""

    in_recovery: bool
    replay_lsn: int | None
    replay_age: float | None  # seconds since it replayed its last transaction


@dataclass(frozen=True)
class ReplicaStatus:
    """The last probe: whether reads go to the standby, its lag, and why not if not."""

    usable: bool
    lag: float | None
    reason: str
    checked_at: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "reads": "standby" if self.usable else "primary",
            "lag_seconds": None if self.lag is None else round(self.lag, 3),
            "reason": self.reason,
        }


_PRIMARY_SQL = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"
_STANDBY_SQL = (
    "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), "
    "EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
)


def _probe_engine(url: str) -> Engine:
    """One short-lived-timeout connection, checked before use (servers come and go)."""
    return create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=PROBE_TIMEOUT_SECONDS,
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args={
            "connect_timeout": PROBE_TIMEOUT_SECONDS,
            "options": "-c statement_timeout=2000",
        },
    )


class ReadReplica:
    """The standby behind `url`, used while `usable()`; probes are cached CHECK_SECONDS."""

    def __init__(
        self,
        primary_url: str,
        url: str,
        max_lag: float,
        *,
        engine: Engine,
        clock: Callable[[], float] = time.monotonic,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.url = url
        self.engine = engine
        self.max_lag = max_lag
        self.check_seconds = check_seconds
        self._clock = clock
        self._primary_probe = _probe_engine(primary_url)
        self._standby_probe = _probe_engine(url)
        self._lock = threading.Lock()
        self._samples: deque[tuple[float, int]] = deque(maxlen=MAX_SAMPLES)
        self.status = ReplicaStatus(False, None, "not checked yet", -math.inf)

    def usable(self) -> bool:
        """Whether reads may go to the standby now; one caller re-probes when stale."""
        now = self._clock()
        if now - self.status.checked_at >= self.check_seconds and self._lock.acquire(
            blocking=False
        ):
            try:
                self.check(now)
            finally:
                self._lock.release()
        return self.status.usable

    def check(self, now: float | None = None) -> ReplicaStatus:
        """Probe both servers now and remember the verdict."""
        now = self._clock() if now is None else now
        status = self._decide(now)
        if not status.usable and self.status.usable:
            # Connections to a standby that went away are dead: drop them now, so that
            # reads do not find them when it comes back.
            self.engine.dispose()
        if status.usable != self.status.usable:
            level = logging.INFO if status.usable else logging.WARNING
            log.log(
                level,
                "reads go to the %s: %s",
                "standby" if status.usable else "primary",
                status.reason,
            )
        self.status = status
        return status

    def _decide(self, now: float) -> ReplicaStatus:
        primary: int | None = None
        primary_error = ""
        try:
            primary = self.primary_lsn()
        except Exception as exc:  # noqa: BLE001  (any failure means: unknown)
            primary_error = _short(exc)
        try:
            standby = self.standby_state()
        except Exception as exc:  # noqa: BLE001
            return ReplicaStatus(False, None, f"standby unreachable: {_short(exc)}", now)
        if not standby.in_recovery:
            return ReplicaStatus(
                False, None, "the read URL is not a standby (not in recovery)", now
            )
        if standby.replay_lsn is None:
            return ReplicaStatus(False, None, "the standby replays no WAL", now)
        if primary is None:
            return ReplicaStatus(
                True, None, f"primary unreachable ({primary_error}); reads stay on the standby", now
            )
        self._samples.append((now, primary))
        lag = self._lag(now, primary, standby)
        if lag > self.max_lag:
            return ReplicaStatus(
                False, lag, f"standby {lag:.1f} s behind (bound {self.max_lag:g} s)", now
            )
        return ReplicaStatus(True, lag, "standby within the lag bound", now)

    def _lag(self, now: float, primary: int, standby: StandbyState) -> float:
        replayed = standby.replay_lsn
        assert replayed is not None
        if replayed >= primary:
            return 0.0
        # The newest sample the standby has replayed past dates its lag.
        for at, position in reversed(self._samples):
            if position <= replayed:
                return now - at
        # Behind every sample: at least as old as the oldest one, and as its last replay.
        oldest = self._samples[0][0] if self._samples else now
        return max(now - oldest, standby.replay_age or 0.0)

    def primary_lsn(self) -> int:
        """The primary's current WAL position, in bytes."""
        with self._primary_probe.connect() as conn:
            return int(conn.exec_driver_sql(_PRIMARY_SQL).scalar_one())

    def standby_state(self) -> StandbyState:
        with self._standby_probe.connect() as conn:
            row = conn.exec_driver_sql(_STANDBY_SQL).one()
        in_recovery, replay, age = row
        return StandbyState(
            bool(in_recovery),
            None if replay is None else int(replay),
            None if age is None else max(0.0, float(age)),
        )

    def dispose(self) -> None:
        self.engine.dispose()
        self._primary_probe.dispose()
        self._standby_probe.dispose()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]
