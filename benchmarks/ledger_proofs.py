"""Proofs and tiles at 1,000,000 leaves: in process and over HTTP, against same-run baselines.

Builds a log of --leaves leaf hashes straight into ledger_hashes (the proofs read nothing
else), then times:
  * in process: `service.inclusion` / `service.consistency` (head read + one batched hash
    read + folding), median and p99 over random queries; target median <= 1 ms;
  * over HTTP: the real app (`crossfin.api.asgi`) in a uvicorn subprocess, one keep-alive
    client, `GET /v1/log/proof/...`; target p50 <= 5 ms; baseline `GET /healthz`;
  * tiles: random full level-0 tiles, per second, in process and over HTTP.

    .venv/bin/python benchmarks/ledger_proofs.py                       # SQLite, temp dir
    .venv/bin/python benchmarks/ledger_proofs.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crossfin_ledger_bench

PostgreSQL: the database's `public` schema is DROPPED and recreated first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from crossfin.core import secrets
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.ledger import keys, service
from crossfin.ledger.tiles import tile_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import bench_key, build_tree, print_header, start_server
from ledger_append import fresh


def latencies(
    fn: Callable[[int], object], queries: int, cpu: list[float] | None = None
) -> list[float]:
    """Wall-clock seconds per call; with `cpu`, also this process's CPU seconds per call."""
    out = []
    for q in range(queries):
        start, used = time.perf_counter(), time.process_time()
        fn(q)
        out.append(time.perf_counter() - start)
        if cpu is not None:
            cpu.append(time.process_time() - used)
    return out


def report(
    label: str, samples: list[float], target_ms: float | None = None, cpu: list[float] | None = None
) -> float:
    ms = sorted(s * 1000 for s in samples)
    p50, p99 = statistics.median(ms), ms[int(len(ms) * 0.99) - 1]
    verdict = (
        ""
        if target_ms is None
        else (f"  target <= {target_ms:g} ms {'met' if p50 <= target_ms else 'MISSED'}")
    )
    used = f"  (CPU p50 {statistics.median(cpu) * 1000:.3f} ms)" if cpu else ""
    print(f"  {label:<40} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms{verdict}{used}", flush=True)
    return p50


def in_process(db: Database, size: int, queries: int) -> None:
    rnd = random.Random(1)
    pairs = [(rnd.randrange(size), rnd.randrange(1, size)) for _ in range(queries)]
    tiles = [rnd.randrange(size // 256) for _ in range(queries)]
    with db.session(readonly=True) as session:
        cpu: list[float] = []
        got = latencies(lambda q: service.inclusion(session, pairs[q][0], size), queries, cpu)
        report("inclusion proof (in process)", got, 1, cpu)
        cpu = []
        got = latencies(lambda q: service.consistency(session, pairs[q][1], size), queries, cpu)
        report("consistency proof (in process)", got, 1, cpu)
        cpu = []
        got = latencies(lambda q: service.tile(session, tile_path(0, tiles[q])), queries, cpu)
    print(
        f"  {'full tiles served (in process)':<40} {len(got) / sum(got):10,.0f} tiles/s"
        f"  ({len(cpu) / sum(cpu):,.0f} per CPU-s)"
    )


def over_http(base: str, key: str, size: int, queries: int) -> None:
    rnd = random.Random(2)
    pairs = [(rnd.randrange(size), rnd.randrange(1, size)) for _ in range(queries)]
    tiles = [rnd.randrange(size // 256) for _ in range(queries)]
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as http:

        def get(path: str) -> None:
            answer = http.get(path)
            answer.raise_for_status()

        for _ in range(50):
            get("/healthz")  # warm up the connection and the caches
        report("GET /healthz (baseline, no key)", latencies(lambda q: get("/healthz"), queries))
        report(
            "GET /v1/log/proof/inclusion",
            latencies(
                lambda q: get(f"/v1/log/proof/inclusion?index={pairs[q][0]}&size={size}"), queries
            ),
            5,
        )
        report(
            "GET /v1/log/proof/consistency",
            latencies(
                lambda q: get(f"/v1/log/proof/consistency?first={pairs[q][1]}&second={size}"),
                queries,
            ),
            5,
        )
        got = latencies(lambda q: get(f"/v1/log/{tile_path(0, tiles[q])}"), queries)
    report("GET /v1/log/tile/0/<N> (8 KiB)", got)
    print(f"  {'full tiles served (HTTP, one client)':<40} {len(got) / sum(got):10,.0f} tiles/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--port", type=int, default=18_631)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        print_header(url)
        db = fresh(url)
        started = time.perf_counter()
        build_tree(db, args.leaves)
        print(f"built a {args.leaves:,}-leaf tree in {time.perf_counter() - started:.1f} s")
        key = bench_key(db)
        conf = Settings(database_url=url, data_dir=Path(tmp) / "data", _env_file=None)  # type: ignore[call-arg]
        secrets.ensure_data_dir(conf)
        keys.ensure_log_key(conf)
        secrets.ensure_platform_secret(conf)
        with db.session(readonly=True) as session:
            size = service.tree_size(session)
        in_process(db, size, args.queries)
        server = start_server(url, conf.data_dir, args.port)
        try:
            over_http(f"http://127.0.0.1:{args.port}", key, size, args.queries)
        finally:
            server.terminate()
            server.wait(10)
        db.dispose()


if __name__ == "__main__":
    main()
