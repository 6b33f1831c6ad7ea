"""Pausing Python's cyclic collector around one bulk piece of work.

A 10,000-row upload builds hundreds of thousands of objects that all live until it ends
(rows, checks, ledger records, the ORM's documents). The cyclic collector keeps scanning
them as they are promoted, to find nothing: reference counting frees them when the work
returns. Measured on a P3 upload (benchmarks/README.md), that scan was 0.11-0.23 s of
~1.9 s. `paused()` turns the collector off for the work and back on after it; concurrent
pauses (two uploads on two threads of one worker) are counted, so the collector resumes
when the last one ends, and is left off if it was off before. Cycles made meanwhile by
other requests wait for the next collection, seconds later at most.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """The collector is off inside the block (and in any block running at the same time)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
