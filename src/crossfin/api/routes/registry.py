"""The list of domain routers beyond parties; a new domain adds one line here."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every optional domain router, imported lazily to keep start-up cheap."""
    return []
