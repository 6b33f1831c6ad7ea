"""Background work of each API process: the sweeper thread, and shutting down the combiner."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from crossfin.core.db import Database
from crossfin.core.http.deps import database_of, settings_of
from crossfin.financing.sweeps import sweep

log = logging.getLogger("crossfin.financing")


class Sweeper:
    """Calls `sweep` every `interval` seconds until stopped; errors are logged, not fatal."""

    def __init__(self, db: Database, interval: float) -> None:
        self.db, self.interval = db, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="financing-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        # Wait first: a process that just started should serve before it sweeps.
        while not self._stop.wait(self.interval):
            try:
                result = sweep(self.db)
                if result.expired or result.overdue:
                    log.info(
                        "financing sweep",
                        extra={"expired": len(result.expired), "overdue": len(result.overdue)},
                    )
            except Exception:
                log.exception("financing sweep failed")


@asynccontextmanager
async def sweeper_lifespan(app: Any) -> AsyncIterator[None]:
    """Run a Sweeper for the app's lifetime when `financing_sweep_seconds` > 0; stop the
    registration combiner (started on first use) at shutdown."""
    interval = float(getattr(settings_of(app), "financing_sweep_seconds", 0) or 0)
    sweeper = Sweeper(database_of(app), interval) if interval > 0 else None
    if sweeper:
        sweeper.start()
    try:
        yield
    finally:
        if sweeper:
            sweeper.stop()
        combiner = getattr(app.state, "financing_combiner", None)
        if combiner is not None:
            combiner.stop()
            app.state.financing_combiner = None
