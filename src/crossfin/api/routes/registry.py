"""The list of domain routers beyond parties; a new domain adds one import here."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every optional domain router, imported lazily to keep start-up cheap."""
    found: list[APIRouter] = []
    # One line per domain: `from crossfin.<domain>.routes import router` style imports.
    return found
