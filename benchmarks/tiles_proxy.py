"""Tiles at 10^7 leaves behind a real nginx cache: the proxy's hit rate and tiles/s, with
the app's own tiles/s in the same run as the ratio's baseline (issue 15, item 4).

It writes a tree of --leaves synthetic leaves straight into ledger_hashes (benchlib.build_tree;
tiles read nothing else), starts the real app (`crossfin.api.asgi`) under uvicorn with
CROSSFIN_LOG_PUBLIC=true, and Debian's nginx as a caching reverse proxy in front of it with
a generated config in a temporary directory (unprivileged: as `nobody` when run as root). The
proxy only honours the app's Cache-Control: full tiles `public, max-age=31536000, immutable`,
partial tiles and checkpoints `max-age=1`, 404s `no-store`, a private log's answers `private`
(never stored). Then clients fetch random full tiles of levels 0 and 1 (level 2 has no full
tile below 2^24 leaves), skewed toward recent ones (Zipf over recency), with a bank's API key,
over several keep-alive connections for --seconds through the proxy, then the same sequence
for --seconds straight from the app.

    .venv/bin/python benchmarks/tiles_proxy.py                    # SQLite, builds ~2 min
    .venv/bin/python benchmarks/tiles_proxy.py --reuse --warm     # same tree, cache filled first
    .venv/bin/python benchmarks/tiles_proxy.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crossfin_tiles_bench

Reported: tiles/s each way and their ratio, nginx's hit rate from X-Cache-Status (over the
phase and its second half), and the CPU per tile of nginx, the app and the clients. A cold
cache misses on every first fetch; --warm fetches the phase's tiles once, untimed, first.

The SQLite file and the data directory live in --workdir (kept for --reuse). PostgreSQL:
the database's `public` schema is DROPPED and recreated first, unless --reuse finds a tree
of --leaves leaves there (plus the few leaves each run's API key records).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pwd
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import httpx
import uvloop
from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn
from sqlalchemy.exc import SQLAlchemyError

from crossfin.core import secrets
from crossfin.core.db import Database
from crossfin.core.settings import Settings, mask_url
from crossfin.ledger import keys, service
from crossfin.ledger.tiles import FULL_WIDTH, TILE_HEIGHT, tile_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import bench_key, build_tree, fresh_database, print_header, start_server, wait_healthy

NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy_temp;
    fastcgi_temp_path {tmp}/fastcgi_temp;
    uwsgi_temp_path {tmp}/uwsgi_temp;
    scgi_temp_path {tmp}/scgi_temp;
    # 1 MiB of keys_zone holds ~8,000 keys; a full tile is 8 KiB on disk.
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=crossfin_log:32m max_size=4g
                     inactive=30d use_temp_path=off;
    upstream crossfin {{
        server 127.0.0.1:{app_port};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{proxy_port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";  # keep the upstream connections alive
        proxy_set_header Host $host;
        location /v1/log/ {{
            proxy_pass http://crossfin;
            proxy_cache crossfin_log;
            # The URL alone: only answers the app marks `public` are stored, and those are
            # the same bytes for every caller, with a key or without.
            proxy_cache_key $scheme$proxy_host$request_uri;
            proxy_cache_lock on;          # one upstream fetch per tile, however many ask
            proxy_cache_revalidate on;    # If-None-Match upstream when an entry expires
            add_header X-Cache-Status $upstream_cache_status always;
        }}
        location / {{
            proxy_pass http://crossfin;
        }}
    }}
}}
"""


@dataclass
class Share:
    """What one client process saw."""

    seconds: float = 0.0
    tiles: int = 0
    errors: int = 0
    cpu: float = 0.0
    cache: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)  # in the phase's second half


@dataclass
class Phase:
    """What one timed phase saw, all client processes together."""

    label: str
    seconds: float = 0.0
    tiles: int = 0
    errors: int = 0
    distinct: int = 0
    cache: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.tiles / self.seconds


def _ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _family(pid: int) -> list[int]:
    """The process and its direct children (nginx's and uvicorn's workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return [pid, *children]


def cpu_seconds(processes: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process family."""
    hz = os.sysconf("SC_CLK_TCK")
    return {name: sum(map(_ticks, _family(pid))) / hz for name, pid in processes.items()}


def ensure_tree(url: str, leaves: int, reuse: bool) -> Database:
    """The database holding a tree of `leaves` leaves: an earlier run's with --reuse."""
    if reuse:
        db = Database(url)
        try:
            with db.session(readonly=True) as session:
                size = service.tree_size(session)
            # Each run's API key is a ledger event: a few leaves beyond the built ones.
            if leaves <= size < leaves + 1000:
                print(f"reusing the {size:,}-leaf tree in {mask_url(url)}", flush=True)
                return db
        except SQLAlchemyError:  # no schema or no head yet: build below
            pass
        db.dispose()
        print("nothing to reuse: building", flush=True)
    db = fresh_database(url, jurisdictions=False)
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn())
    started = time.perf_counter()
    with Progress(*columns) as progress:
        task = progress.add_task("leaves", total=leaves)
        build_tree(db, leaves, lambda n: progress.advance(task, n))
    print(f"built a {leaves:,}-leaf tree in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def start_nginx(
    nginx: str, app_port: int, proxy_port: int, workers: int
) -> tuple[subprocess.Popen[bytes], Path]:
    """nginx in the foreground with a generated config in a new temporary directory; as
    `nobody` when we are root (the directory is then handed to it)."""
    tmp = Path(tempfile.mkdtemp(prefix="crossfin-nginx-"))
    conf = NGINX_CONF.format(tmp=tmp, app_port=app_port, proxy_port=proxy_port, workers=workers)
    (tmp / "nginx.conf").write_text(conf)
    user: dict[str, int] = {}
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        user = {"user": nobody.pw_uid, "group": nobody.pw_gid}
        os.chown(tmp, nobody.pw_uid, nobody.pw_gid)
        os.chown(tmp / "nginx.conf", nobody.pw_uid, nobody.pw_gid)
    # -e: the error log before the config is read (the default path is root's).
    command = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")]
    check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, **user)  # type: ignore[call-overload]
    if check.returncode != 0:
        raise SystemExit(f"nginx refused its config: {check.stderr}")
    proxy = subprocess.Popen(command, **user)  # type: ignore[call-overload]
    wait_healthy(proxy, proxy_port, timeout=10)
    return proxy, tmp


def recent_skewed_paths(size: int, count: int, zipf: float, level1: float) -> list[str]:
    """`count` full tile paths: level 1 with probability `level1`, else level 0; within a
    level the k-th newest full tile with probability proportional to 1/k**zipf."""
    rnd = random.Random(15)
    paths = []
    levels = []
    for level in (0, 1):
        full = (size >> (TILE_HEIGHT * level)) // FULL_WIDTH
        weights = list(itertools.accumulate(1 / k**zipf for k in range(1, full + 1)))
        levels.append((level, full, weights))
    for _ in range(count):
        level, full, weights = levels[1] if rnd.random() < level1 else levels[0]
        newest_first = rnd.choices(range(full), cum_weights=weights)[0]
        paths.append("/v1/log/" + tile_path(level, full - 1 - newest_first))
    return paths


async def fetch_for(
    share: Share, base: str, key: str, paths: list[str], seconds: float, connections: int
) -> None:
    """`connections` clients, each on its own keep-alive connection, each taking the next
    path of the shared sequence, until `seconds` have passed.

    One httpx client per connection: one client's pool shared by 16 tasks took twice the
    CPU per request in a trial (2.2 ms against 1.1), and the client is the bottleneck."""
    headers = {"Authorization": f"Bearer {key}"}
    sequence = iter(paths)
    clients = [
        httpx.AsyncClient(base_url=base, headers=headers, limits=httpx.Limits(max_connections=1))
        for _ in range(connections)
    ]
    await asyncio.gather(*(client.get("/healthz") for client in clients))
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline, half = started + seconds, started + seconds / 2

    async def one_client(client: httpx.AsyncClient) -> None:
        for path in sequence:
            if loop.time() >= deadline:
                return
            answer = await client.get(path)
            share.tiles += 1
            share.errors += answer.status_code != 200 or len(answer.content) != 8192
            status = answer.headers.get("x-cache-status", "none")
            share.cache[status] += 1
            if loop.time() >= half:
                share.late[status] += 1

    await asyncio.gather(*(one_client(client) for client in clients))
    share.seconds = loop.time() - started
    await asyncio.gather(*(client.aclose() for client in clients))


def client_process(
    base: str, key: str, paths: list[str], seconds: float, connections: int
) -> Share:
    """One client process's share of a phase, with the CPU it used."""
    share = Share()
    used = time.process_time()
    uvloop.run(fetch_for(share, base, key, paths, seconds, connections))
    share.cpu = time.process_time() - used
    return share


def timed(
    label: str,
    processes: dict[str, int],
    args: argparse.Namespace,
    base: str,
    key: str,
    paths: list[str],
) -> Phase:
    """A phase: --clients processes, each with its share of the connections and an
    interleaved share of the sequence (so together they fetch it in order)."""
    procs = args.clients
    slices = [paths[p::procs] for p in range(procs)]
    each = max(1, args.connections // procs)
    before = cpu_seconds(processes)
    with ProcessPoolExecutor(procs, mp_context=get_context("fork")) as pool:
        shares = list(
            pool.map(
                client_process,
                [base] * procs,
                [key] * procs,
                slices,
                [args.seconds] * procs,
                [each] * procs,
            )
        )
    after = cpu_seconds(processes)
    phase = Phase(label, max(s.seconds for s in shares), sum(s.tiles for s in shares))
    phase.errors = sum(s.errors for s in shares)
    phase.cache = sum((s.cache for s in shares), Counter())
    phase.late = sum((s.late for s in shares), Counter())
    phase.cpu = {name: after[name] - before[name] for name in after}
    phase.cpu["client"] = sum(s.cpu for s in shares)
    phase.distinct = len(
        {path for s, part in zip(shares, slices, strict=True) for path in part[: s.tiles]}
    )
    if any(s.tiles == len(part) for s, part in zip(shares, slices, strict=True)):
        raise SystemExit("the request sequence ran out: raise its length")
    return phase


def warm(base: str, key: str, paths: list[str], args: argparse.Namespace) -> None:
    """Fetch once, untimed, every distinct tile among the sequence's first 1,000 per second
    of the phase (more than it reaches here), so the phase sees a cache in its steady state:
    full tiles never change, so a proxy that has run for a while holds all that are asked."""
    distinct = list(dict.fromkeys(paths[: int(args.seconds * 1000)]))
    started = time.perf_counter()
    share = Share()
    uvloop.run(fetch_for(share, base, key, distinct, float("inf"), args.connections))
    print(
        f"warmed the cache with {share.tiles:,} distinct tiles ({share.cache['MISS']:,} misses)"
        f" in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def show(phase: Phase) -> None:
    cpu = ", ".join(f"{name} {used:.1f} s" for name, used in phase.cpu.items())
    per_tile = ", ".join(
        f"{name} {used / phase.tiles * 1e6:,.0f} µs" for name, used in phase.cpu.items()
    )
    print(
        f"  {phase.label:<16} {phase.tiles:>9,} tiles in {phase.seconds:.1f} s = "
        f"{phase.rate:>8,.0f} tiles/s  errors {phase.errors}\n"
        f"  {'':<16} CPU {cpu}; per tile: {per_tile}",
        flush=True,
    )


def sanity(base: str, key: str, size: int) -> None:
    """What the proxy does with each kind of answer, shown before the timing."""
    auth = {"Authorization": f"Bearer {key}"}
    full = "/v1/log/" + tile_path(0, 0)
    partial = "/v1/log/" + tile_path(0, size // FULL_WIDTH, size % FULL_WIDTH or 1)
    future = "/v1/log/" + tile_path(0, size // FULL_WIDTH + 1)
    steps = [
        ("full tile, key", full, auth),
        ("full tile, key", full, auth),
        ("full tile, no key", full, {}),
        ("full tile, bad key", full, {"Authorization": "Bearer cf_x_y"}),
        ("partial tile", partial, auth),
        ("tile not there yet", future, auth),
        ("tile not there yet", future, auth),
    ]
    with httpx.Client(base_url=base) as client:
        for label, path, headers in steps:
            answer = client.get(path, headers=headers)
            print(
                f"  {label:<20} {path:<32} {answer.status_code} "
                f"{answer.headers.get('x-cache-status', '-'):<8} "
                f"{answer.headers.get('cache-control', '')}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in --workdir")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "crossfin-tiles"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time again over an earlier run's tree"
    )
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--seconds", type=float, default=30.0, help="per phase")
    parser.add_argument("--connections", type=int, default=16, help="over all clients")
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--zipf", type=float, default=1.0, help="exponent of the recency skew")
    parser.add_argument("--level1", type=float, default=0.2, help="share of level-1 tiles")
    parser.add_argument(
        "--warm", action="store_true", help="fill the cache first: its steady state, not cold"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn's and nginx's")
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--port", type=int, default=18_651, help="the app's; the proxy's is +1")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{args.workdir}/tiles.db"
    print_header(url)
    db = ensure_tree(url, args.leaves, args.reuse)
    key = bench_key(db)
    db.dispose()
    conf = Settings(database_url=url, data_dir=args.workdir / "data", _env_file=None)  # type: ignore[call-arg]
    secrets.ensure_data_dir(conf)
    keys.ensure_log_key(conf)
    secrets.ensure_platform_secret(conf)
    paths = recent_skewed_paths(
        args.leaves, max(100_000, int(args.seconds * 30_000)), args.zipf, args.level1
    )
    print(
        f"workload: {args.seconds:g} s per phase, {args.connections} connections from "
        f"{args.clients} client processes, full tiles "
        f"of level 0 ({args.leaves // FULL_WIDTH:,} of them) and level 1 "
        f"({args.leaves // FULL_WIDTH**2:,}, {args.level1:.0%} of requests), Zipf s="
        f"{args.zipf:g} over recency; uvicorn and nginx {args.workers} worker(s)",
        flush=True,
    )
    app = start_server(
        url, conf.data_dir, args.port, workers=args.workers, env={"CROSSFIN_LOG_PUBLIC": "true"}
    )
    proxy, tmp = start_nginx(args.nginx, args.port, args.port + 1, args.workers)
    processes = {"nginx": proxy.pid, "app": app.pid}
    try:
        print(f"nginx {tmp}/nginx.conf, what it does with each answer:")
        sanity(f"http://127.0.0.1:{args.port + 1}", key, args.leaves)
        if args.warm:
            warm(f"http://127.0.0.1:{args.port + 1}", key, paths, args)
        through = timed(
            "through nginx", processes, args, f"http://127.0.0.1:{args.port + 1}", key, paths
        )
        direct = timed("app directly", processes, args, f"http://127.0.0.1:{args.port}", key, paths)
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(10)
        app.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("results:")
    show(through)
    show(direct)
    statuses = ", ".join(f"{status} {n:,}" for status, n in through.cache.most_common())
    late = through.late["HIT"] / max(1, through.late.total())
    server_through = (through.cpu["nginx"] + through.cpu["app"]) / through.tiles
    server_direct = direct.cpu["app"] / direct.tiles
    print(
        f"  X-Cache-Status: {statuses}; hit rate {through.cache['HIT'] / through.tiles:.1%} "
        f"({late:.1%} in the second half); distinct tiles fetched {through.distinct:,}\n"
        f"  ratio: {through.rate / direct.rate:.1f}x the app's tiles/s; server CPU per tile "
        f"{server_through * 1e6:,.0f} µs through nginx (nginx + the app's misses) vs "
        f"{server_direct * 1e6:,.0f} µs from the app: {server_direct / server_through:.1f}x "
        f"less\n  load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )


if __name__ == "__main__":
    main()
