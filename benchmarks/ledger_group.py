"""Ledger group commit on PostgreSQL: many single-event writers, against the same run's
raw single-commit ceiling (issue 15, item 2).

Three measurements, each on a fresh database:
  * ceiling: one thread, a raw DBAPI transaction per event of exactly the rows the
    sequencer writes (the event, its party, its subtree hashes, the head): one commit
    flush per event, nothing else;
  * design (a): `--writers` writers in `--processes` processes, each committing one event
    per `UnitOfWork` with group commit off (the head lock held across each COMMIT);
  * design (b): the same writers with group commit on (ledger/integrator.py); also the
    merge delay of every writer that queued (from its COMMIT to its event in the tree),
    and the share of writers that found the head free and sequenced at once.

    .venv/bin/python benchmarks/ledger_group.py --writers 64 --processes 2 --events 20000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crossfin_group_bench

The database's `public` schema is DROPPED and recreated (three times per run).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from crossfin.core.db import Database
from crossfin.ledger.integrator import enqueue, integrate_group, integrator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import fresh_database, machine_info, print_header
from ledger_append import build, ceiling, ceiling_rows, end_to_end

TARGET_RATE, TARGET_RATIO, TARGET_P99_MS = 5_000, 3.0, 50.0


def _writer_process(url: str, mode: str, threads: int, each: int, start: Any, out: Any) -> None:
    """One process of writers; sends the merge delays (s) of the events that queued.

    `mode`: "a" (group commit off), "b" (on), "b-raw" (on, records prebuilt and each writer
    queueing on a connection of its own: no unit of work, no session).
    """
    group = mode != "a"
    # A connection per writer and one for the round, so that the pool never opens and
    # closes overflow connections (each a new PostgreSQL backend) mid-run.
    db = Database(url, group_commit=group, pool_size=threads + 2, max_overflow=4)
    delays: list[float] = []
    lock = threading.Lock()
    if group:
        place = integrator(db)
        settle = place.settle

        def timed_settle(events: Any) -> None:
            began = time.perf_counter()
            settle(events)
            with lock:
                delays.append(time.perf_counter() - began)

        place.settle = timed_settle  # type: ignore[method-assign]

    def write_raw(thread: int, events: list[Any]) -> None:
        with db.engine.connect() as conn:
            for event in events:
                with conn.begin():
                    enqueue(conn, [event])
                integrator(db).settle([event])

    if mode == "b-raw":
        pool = [threading.Thread(target=write_raw, args=(t, build(each))) for t in range(threads)]
    else:
        pool = [threading.Thread(target=end_to_end, args=(db, each, 1)) for t in range(threads)]
    with db.engine.connect():  # one connection warmed before the clock starts
        pass
    start.wait()
    cpu = time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.send((delays, time.process_time() - cpu))
    db.dispose()


def writers(url: str, mode: str, count: int, writers: int, processes: int) -> dict[str, Any]:
    """`writers` threads over `processes` processes, `count` events in all; wall rate."""
    db = fresh_database(url, jurisdictions=False)
    db.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    each = count // writers
    jobs = []
    for p in range(processes):
        threads = writers // processes + (1 if p < writers % processes else 0)
        mine, theirs = context.Pipe(duplex=False)
        proc = context.Process(
            target=_writer_process, args=(url, mode, threads, each, start, theirs)
        )
        proc.start()
        jobs.append((proc, mine))
    time.sleep(3.0)  # every process imported, connected and its records built
    machine = _cpu()
    began = time.perf_counter()
    start.set()
    delays: list[float] = []
    writers_cpu = 0.0
    for proc, pipe in jobs:
        got, cpu = pipe.recv()
        delays += got
        writers_cpu += cpu
        proc.join()
    wall = time.perf_counter() - began
    machine_after = _cpu()
    total = each * writers
    found = {
        "rate": total / wall,
        "events": total,
        # CPU per event: the writer processes' from the start signal, and the whole
        # machine's (PostgreSQL is most of the rest).
        "writers_us": writers_cpu / total * 1e6,
        "machine_us": (machine_after - machine) / total * 1e6,
    }
    if mode != "a":
        found["queued_share"] = len(delays) / total
        if delays:
            ms = sorted(d * 1000 for d in delays)
            found["p50_ms"] = ms[len(ms) // 2]
            found["p99_ms"] = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
            found["max_ms"] = ms[-1]
    return found


def capacity(url: str, count: int, group: int) -> float:
    """The integrator alone: `count` events queued beforehand (one bulk insert), placed by
    rounds of `group` events each; what group commit can merge when writers keep up."""
    db = fresh_database(url, jurisdictions=False)
    try:
        events = build(count)
        with db.engine.begin() as conn:
            for start in range(0, count, 5_000):
                enqueue(conn, events[start : start + 5_000])
        began = time.perf_counter()
        with db.engine.connect() as plain:
            conn = plain.execution_options(isolation_level="AUTOCOMMIT")
            placed = 1
            while placed:
                placed, _ = integrate_group(conn, (), group)
        return count / (time.perf_counter() - began)
    finally:
        db.dispose()


def _cpu() -> float:
    """Busy CPU seconds of the whole machine so far (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def raw_ceiling(url: str, count: int) -> float:
    db = fresh_database(url, jurisdictions=False)
    try:
        batches = ceiling_rows(build(count), 1)
        began = time.perf_counter()
        ceiling(db, batches)
        return count / (time.perf_counter() - began)
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="PostgreSQL (psycopg)")
    parser.add_argument("--writers", type=int, default=64)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--events", type=int, default=20_000, help="events per measurement")
    parser.add_argument("--ceiling-events", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql+psycopg"):
        parser.error("group commit serves PostgreSQL through psycopg only")
    print_header(args.database_url)
    print(f"machine: {machine_info(args.database_url)}")
    rows = []
    for run in range(args.runs):
        ceil = raw_ceiling(args.database_url, args.ceiling_events)
        a = writers(args.database_url, "a", args.events, args.writers, args.processes)
        b = writers(args.database_url, "b", args.events, args.writers, args.processes)
        raw = writers(args.database_url, "b-raw", args.events, args.writers, args.processes)
        rows.append((ceil, a, b))
        merged = {g: capacity(args.database_url, 20 * g, g) for g in (8, 32, 128)}
        print(
            f"run {run + 1}: ceiling {ceil:,.0f}/s | (a) {a['rate']:,.0f}/s = "
            f"{a['rate'] / ceil:.2f}x",
            flush=True,
        )
        for label, found in (("(b)", b), ("(b) records prebuilt, no session", raw)):
            print(
                f"  {label}: {found['rate']:,.0f}/s = {found['rate'] / ceil:.2f}x, "
                f"queued {found.get('queued_share', 0):.0%}, merge delay p50 "
                f"{found.get('p50_ms', 0):.1f} ms p99 {found.get('p99_ms', 0):.1f} ms "
                f"max {found.get('max_ms', 0):.1f} ms; CPU/event writers "
                f"{found['writers_us']:.0f} us, machine {found['machine_us']:.0f} us",
                flush=True,
            )
        print(
            "  integrator alone (events queued beforehand), by group size: "
            + ", ".join(f"{g}: {r:,.0f}/s = {r / ceil:.1f}x" for g, r in merged.items()),
            flush=True,
        )
    rates = [b["rate"] for _, _, b in rows]
    ratios = [b["rate"] / c for c, _, b in rows]
    p99s = [b.get("p99_ms", 0.0) for _, _, b in rows]
    met = min(rates) >= TARGET_RATE and min(ratios) >= TARGET_RATIO and max(p99s) <= TARGET_P99_MS
    print(
        f"(b): {min(rates):,.0f}-{max(rates):,.0f}/s, {min(ratios):.2f}-{max(ratios):.2f}x "
        f"the ceiling, p99 {min(p99s):.1f}-{max(p99s):.1f} ms (median rate "
        f"{statistics.median(rates):,.0f}/s); targets >= {TARGET_RATE:,}/s, "
        f">= {TARGET_RATIO}x, p99 <= {TARGET_P99_MS:.0f} ms: {'met' if met else 'NOT met'} "
        "in every run"
    )


if __name__ == "__main__":
    main()
