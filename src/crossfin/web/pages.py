"""Portal routes (placeholder until the portal module lands)."""

from __future__ import annotations

from fastapi import FastAPI

from crossfin.core.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Attach the portal's routes to `app`."""
    del app, settings
