"""Shared by the ledger benchmarks: what machine and software the figures come from."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys

from sqlalchemy import create_engine, text

from crossfin.core.settings import mask_url


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
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "load": os.getloadavg(),
            "python": platform.python_version(), "system": platform.platform(),
            "database": _database_version(url)}


def print_header(url: str) -> None:
    """The command line and the machine, first thing in every benchmark's output."""
    info = machine_info(url)
    print("command:", " ".join([os.path.relpath(sys.executable), *sys.argv]))
    print(f"machine: {info['cpu']}, {info['cores']} cores, load "
          f"{', '.join(f'{x:.2f}' for x in info['load'])}")  # type: ignore[attr-defined]
    print(f"software: Python {info['python']} on {info['system']}; database "
          f"{mask_url(url)} ({info['database']})", flush=True)
