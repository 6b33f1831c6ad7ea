"""Shared by the benchmarks: fresh databases, and the machine and software behind the figures."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, select, text, update

from crossfin.core import secrets
from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database, copy_rows
from crossfin.core.settings import Settings, mask_url
from crossfin.ledger import keys
from crossfin.ledger.models import LogHead
from crossfin.ledger.proofs import append_to_edge
from crossfin.ledger.rfc6962 import leaf_hash
from crossfin.ledger.sequencer import HEAD_ID, ensure_head
from crossfin.ledger.uow import UnitOfWork
from crossfin.migrations.upgrade import upgrade
from crossfin.parties import credentials
from crossfin.parties import service as parties
from crossfin.parties.jurisdictions import seed_jurisdictions
from crossfin.parties.models import OrgKind, Principal, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn


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


TREE_CHUNK = 100_000  # leaves per transaction: ~200,000 rows, a few MB in memory


def build_tree(
    db: Database, leaves: int, advance: Callable[[int], object] = lambda n: None
) -> None:
    """Write every complete subtree hash of a tree of `leaves` synthetic leaves straight into
    ledger_hashes (the proofs and tiles read nothing else), then the head; `advance(n)` after
    each `n` leaves. Driver executemany on SQLite, binary COPY on PostgreSQL: the rows never
    pass through SQLAlchemy, so 10^7 leaves (2*10^7 rows) take minutes, not tens of them.

    The head is written last, so an interrupted build leaves a head of size 0."""
    postgres = db.dialect == "postgresql"
    edge: list[bytes] = []
    size = 0
    while size < leaves:
        count = min(TREE_CHUNK, leaves - size)
        hashes = (leaf_hash(i.to_bytes(8, "big")) for i in range(size, size + count))
        result = append_to_edge(edge, hashes, size)
        rows = [(level, n, h) for (level, n), h in result.hashes]
        with db.engine.begin() as conn:
            cursor = conn.connection.cursor()
            if postgres:
                copy_rows(
                    cursor,
                    "ledger_hashes",
                    ("level", "idx", "hash"),
                    rows,
                    ("int4", "int8", "bytea"),
                )
            else:
                cursor.executemany(
                    "INSERT INTO ledger_hashes (level, idx, hash) VALUES (?, ?, ?)", rows
                )
        edge, size = result.right_edge, result.size
        advance(count)
    with db.engine.begin() as conn:
        conn.execute(
            update(LogHead)
            .where(LogHead.id == HEAD_ID)
            .values(size=size, root=result.root, edge=b"".join(edge), updated_at=utcnow())
        )


def bench_key(db: Database) -> str:
    """A new API key of a bank's service account, made through the services (the bank and
    the account on first use; keys are shown only once, so a reused database gets a new one)."""
    with UnitOfWork(db, Actor(None, None, "benchmark")) as uow:
        principal = uow.session.scalars(select(Principal).where(Principal.name == "bench")).first()
        if principal is None:
            seed_jurisdictions(uow.session)
            org, _ = parties.add_org(
                uow,
                OrgIn(
                    kind=OrgKind.BANK, name="Bench Bank", bic="BNCHCNBJ", jurisdictions=["440000"]
                ),
            )
            principal, _ = credentials.add_principal(
                uow, org.id, PrincipalKind.SERVICE, "bench", Role.OPERATOR
            )
        _, key, _ = credentials.issue_key(uow, principal.id)
        uow.commit()
    return key


def start_server(
    url: str,
    data_dir: Path,
    port: int,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """The real app (`crossfin.api.asgi`) under uvicorn in a subprocess on 127.0.0.1:`port`,
    no background checkpoints, no access log; returns once `/healthz` answers."""
    environment = (
        os.environ
        | {
            "CROSSFIN_DATABASE_URL": url,
            "CROSSFIN_DATA_DIR": str(data_dir),
            "CROSSFIN_CHECKPOINT_INTERVAL": "0",
            "CROSSFIN_LOG_LEVEL": "WARNING",
        }
        | (env or {})
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "crossfin.api.asgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=environment)
    wait_healthy(server, port, timeout=30)
    return server
