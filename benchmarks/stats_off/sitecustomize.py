"""Benchmark only: the statistics' upkeep switched off, in every process that has this folder
on its PYTHONPATH (Python imports `sitecustomize` at start-up, so the spawned uvicorn workers
of `crossfin serve` are patched too). `financing_http.py --stats-cost` runs its baseline
server so, to measure what the upkeep costs registration. Never used outside benchmarks.

The domains call the upkeep through the module (`stats.add(...)`), so replacing its
functions switches every call off; a registration's contributions are then not even
computed (`add` receives a generator it never reads).
"""

from __future__ import annotations

from typing import Any

from crossfin.parties.stats import upkeep


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


upkeep.add = upkeep.subtract = upkeep.track = upkeep.changed = _nothing
