"""The calendar each process counts with: the loaded years over the package, cached.

Why a cache with a version check rather than a read per deadline or a restart: a deadline
is counted on many requests (every list of filings shows each one's), while a notice is
loaded about once a year, weeks before its year begins. So each process keeps its calendar
and, at most every `VERSION_CHECK_SECONDS`, reads one indexed row (the newest loading's
event id) to learn whether another process loaded a notice meanwhile; the process that
loads drops its copies as soon as the loading commits. Another worker thus counts with a
new notice at most 30 s after it is loaded, with no restart, on either engine.

The cache is kept per engine, so two databases never share a calendar; a loading drops the
copies of every engine on its database's URL in the process (writer, reader, another
`Database` object on it), not those of a streaming replica, which lags anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from crossfin.core.workdays import Calendar
from crossfin.filings.calendar.store import current_version, loaded_years

VERSION_CHECK_SECONDS = 30.0


@dataclass
class _Entry:
    calendar: Calendar
    checked: float  # when the version was last read (the cache's clock)


def _engine(bind: Engine | Connection) -> Engine:
    return bind.engine if isinstance(bind, Connection) else bind


class CalendarCache:
    """Calendars per engine, rebuilt when the version read at most every `ttl` s changes."""

    def __init__(
        self, ttl: float = VERSION_CHECK_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl, self.clock = ttl, clock
        self._entries: WeakKeyDictionary[Engine, _Entry] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def calendar(self, session: Session) -> Calendar:
        """The calendar in force for the session's database."""
        engine, now = _engine(session.get_bind()), self.clock()
        with self._lock:
            entry = self._entries.get(engine)
        if entry is not None and now - entry.checked < self.ttl:
            return entry.calendar
        # The version first, then the years: a loading committed in between leaves newer
        # years under an older version, which the next check rebuilds; never the reverse.
        version = current_version(session)
        if entry is None or entry.calendar.version != version:
            entry = _Entry(Calendar(loaded_years(session), version), now)
        else:
            entry = _Entry(entry.calendar, now)
        with self._lock:
            self._entries[engine] = entry
        return entry.calendar

    def invalidate(self, bind: Engine | Connection) -> None:
        """Drop the calendars of every engine on the bind's database URL (a `Database`'s
        writer and reader, and any other `Database` of this process on it) after a loading
        commits: the next use reads the version again."""
        url = _engine(bind).url
        with self._lock:
            for engine in [e for e in self._entries if e.url == url]:
                del self._entries[engine]


CACHE = CalendarCache()


def official_calendar(session: Session) -> Calendar:
    """The calendar deadlines count with: loaded notices over the package (cached)."""
    return CACHE.calendar(session)
