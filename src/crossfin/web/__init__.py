"""The portal: server-rendered pages over the same services as the API."""

from __future__ import annotations

from fastapi import FastAPI

from crossfin.core.settings import Settings


def mount(app: FastAPI, settings: Settings) -> None:
    """Attach the portal's routes and static files to `app`."""
    from crossfin.web.pages import install

    install(app, settings)
