"""Shared by the benchmarks: fresh databases, and the machine and software behind the figures."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from crossfin.core import secrets
from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings, mask_url
from crossfin.ledger import keys
from crossfin.ledger.sequencer import ensure_head
from crossfin.ledger.uow import UnitOfWork
from crossfin.migrations.upgrade import upgrade
from crossfin.parties.jurisdictions import seed_jurisdictions


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _database_version(url: str) -> str:
    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


def machine_info(url: str) -> dict[str, object]:
    """CPU, cores, load, Python and database versions."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load": os.getloadavg(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "database": _database_version(url),
    }


def print_header(url: str) -> None:
    """The command line and the machine, first thing in every benchmark's output."""
    info = machine_info(url)
    print("command:", " ".join([os.path.relpath(sys.executable), *sys.argv]))
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, load "
        f"{', '.join(f'{x:.2f}' for x in info['load'])}"
    )  # type: ignore[attr-defined]
    print(
        f"software: Python {info['python']} on {info['system']}; database "
        f"{mask_url(url)} ({info['database']})",
        flush=True,
    )


def wait_healthy(server: subprocess.Popen[bytes], port: int, *, timeout: float) -> None:
    """Poll `GET /healthz` on 127.0.0.1:`port` until it answers 200; after `timeout`
    seconds, terminate `server` and exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start")


def _create_database(url: str) -> None:
    """Create the PostgreSQL database if it is missing (fresh_database then empties it)."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def fresh_database(url: str, *, jurisdictions: bool = True) -> Database:
    """An empty, migrated database with a ledger head (PostgreSQL: created if missing, its
    schema DROPPED)."""
    if url.startswith("postgresql"):
        _create_database(url)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(url)
    upgrade(db)
    with UnitOfWork(db, Actor(None, None, "benchmark")) as uow:
        if jurisdictions:
            seed_jurisdictions(uow.session)
        ensure_head(uow.session)
        uow.commit()
    return db


def bench_settings(database_url: str | None, **more: object) -> Settings:
    """Settings for one benchmark run in a new temporary directory (its SQLite file when no
    URL is given, and the data directory with the log key and the platform secret)."""
    workdir = Path(tempfile.mkdtemp(prefix="crossfin-bench-"))
    data = workdir / "data"
    data.mkdir(mode=0o700)
    url = database_url or f"sqlite:///{workdir}/bench.db"
    settings = Settings(database_url=url, data_dir=data, _env_file=None, **more)  # type: ignore[call-arg]
    keys.ensure_log_key(settings)
    secrets.ensure_platform_secret(settings)
    return settings
