"""Slowing password guessing: failed logins per username+IP, per IP and per username.

The failures live in the database (`login_failures`), so every API worker counts the same
ones: with connections spread over N workers, per-process counters gave a guesser N times
the attempts. Each counter is a sliding window of 15 minutes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select

from crossfin.core.clock import utcnow
from crossfin.core.db import Database
from crossfin.parties.models import LoginFailure

WINDOW = timedelta(minutes=15)
PER_USER_AND_IP = 5
PER_IP = 50
PER_USER = 30


def _key(scope: str, subject: str) -> str:
    return hashlib.sha256(f"{scope}\x00{subject}".encode()).hexdigest()


def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    """The three counters an attempt counts against, each with its limit."""
    name = username.strip().casefold()
    return [
        (_key("user+ip", f"{name}\x00{ip}"), PER_USER_AND_IP),
        (_key("ip", ip), PER_IP),
        (_key("user", name), PER_USER),
    ]


class LoginThrottle:
    """Sliding-window failure counters shared by every process through the database."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db, self.clock = db, clock

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds to wait before this attempt may be checked; 0 when allowed now."""
        now = self.clock()
        wait = timedelta(0)
        with self.db.session(readonly=True) as session:
            for key, limit in _keys(username, ip):
                # The limit-th most recent failure in the window: once it leaves the
                # window, the counter is under its limit again.
                oldest_counted = session.scalar(
                    select(LoginFailure.at)
                    .where(LoginFailure.key == key, LoginFailure.at > now - WINDOW)
                    .order_by(LoginFailure.at.desc())
                    .offset(limit - 1)
                    .limit(1)
                )
                if oldest_counted is not None:
                    wait = max(wait, oldest_counted + WINDOW - now)
        return math.ceil(wait.total_seconds())

    def failed(self, username: str, ip: str) -> None:
        now = self.clock()
        with self.db.session() as session, session.begin():
            # Failures older than the window count for nothing: drop them as we go.
            session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
            session.execute(
                insert(LoginFailure), [{"key": key, "at": now} for key, _ in _keys(username, ip)]
            )

    def succeeded(self, username: str, ip: str) -> None:
        """A good password clears that user's counter from that address."""
        with self.db.session() as session, session.begin():
            session.execute(
                delete(LoginFailure).where(LoginFailure.key == _keys(username, ip)[0][0])
            )
