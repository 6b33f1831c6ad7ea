"""The baseline of financing_http.py: a bare FastAPI no-op, served as `crossfin serve` serves.

`python benchmarks/bare_app.py --workers 2 --port P` runs crossfin's own worker supervisor
(crossfin/api/workers.py: one SO_REUSEPORT socket and one uvicorn server per worker, the
same uvicorn settings) with this module's factory instead of the platform's app, so the
two differ only in the application. No middleware, no authentication, no database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fastapi import FastAPI

from crossfin.api.workers import Supervisor


def app() -> FastAPI:
    """The factory each worker serves (uvicorn --factory)."""
    bare = FastAPI()

    @bare.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @bare.get("/noop")
    async def noop() -> dict[str, bool]:
        return {"ok": True}

    # The same in a worker thread, as FastAPI runs every `def` route: the hop's own cost.
    @bare.get("/noop-sync")
    def noop_sync() -> dict[str, bool]:
        return {"ok": True}

    return bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    # The spawned workers import this module by name: put its folder on their path.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    return Supervisor(args.host, args.port, args.workers, app="bare_app:app").run()


if __name__ == "__main__":
    raise SystemExit(main())
