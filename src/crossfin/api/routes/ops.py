"""Operational endpoints: health and metrics (unauthenticated by design)."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import text

from crossfin.api.workers import MULTIPROCESS_ENV
from crossfin.core.db import Database
from crossfin.core.http.deps import get_db

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness and database reachability")
def healthz(db: Annotated[Database, Depends(get_db)]) -> JSONResponse:
    with db.session(readonly=True) as session:
        session.execute(text("SELECT 1"))
    answer: dict[str, object] = {"status": "ok", "database": db.dialect}
    if db.replica is not None:
        db.replica.usable()  # re-probes if the last verdict is older than a second
        answer["standby"] = db.replica.status.as_dict()
    return JSONResponse(answer)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    if os.environ.get(MULTIPROCESS_ENV):
        # Several workers (api/workers.py): each scrape reaches one of them, so it must
        # answer for all, from the files every worker writes its values to.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        # Security events are counted from the database, so for every worker alike.
        registry.register(request.app.state.security_collector)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
