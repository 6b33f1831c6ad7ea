"""ASGI entry point for uvicorn workers: `uvicorn --factory crossfin.api.asgi:app`."""

from __future__ import annotations

from fastapi import FastAPI

from crossfin.api.app import create_app
from crossfin.core.settings import Settings


def app() -> FastAPI:
    """Build the app from the environment (each worker process builds its own)."""
    return create_app(Settings())
