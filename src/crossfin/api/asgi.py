"""ASGI entry point for uvicorn workers: `uvicorn --factory crossfin.api.asgi:app`."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from crossfin.api.app import create_app
from crossfin.core.settings import Settings

# Python's cyclic collector, tuned for a long-running server. With the defaults each worker
# ran a full collection every few seconds over its ~195,000 tracked objects (modules,
# routes, the ORM's mappers...), each one stopping the event loop for 110-230 ms under load:
# that pause was the p99 of every endpoint (benchmarks/README.md). Objects alive after
# start-up are frozen out of collections, and the youngest generation is collected after
# 20,000 allocations rather than 700, so requests' short-lived objects die by reference
# counting before a collection would promote them.
GC_THRESHOLDS = (20_000, 20, 20)


def app() -> FastAPI:
    """Build the app from the environment (each worker process builds its own)."""
    application = create_app(Settings())
    tune_collector()
    return application


def tune_collector() -> None:
    """Freeze what is alive now out of collections and set GC_THRESHOLDS: once, after
    start-up (benchmarks that run the app in their own process call it too)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
