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
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from crossfin.core.db import Actor, Database
from crossfin.ledger.events import EventType
from crossfin.ledger.integrator import enqueue, integrator
from crossfin.ledger.uow import UnitOfWork

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import fresh_database, machine_info, print_header
from ledger_append import build, ceiling, ceiling_rows

TARGET_RATE, TARGET_RATIO, TARGET_P99_MS = 5_000, 3.0, 50.0


def _writer_process(
    url: str, mode: str, threads: int, each: int, start: Any, out: Any, worker: int
) -> None:
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

    def write(thread: int) -> None:
        actor = Actor(None, None, f"p{worker}t{thread}")
        for n in range(each):
            with UnitOfWork(db, actor) as uow:
                uow.record(
                    EventType.ORG_ADDED,
                    subjects={"org": n},
                    content={"n": n, "name": f"Org {n}"},
                    parties={2},
                )
                uow.commit()

    def write_raw(thread: int, events: list[Any]) -> None:
        with db.engine.connect() as conn:
            for event in events:
                with conn.begin():
                    enqueue(conn, [event])
                integrator(db).settle([event])

    if mode == "b-raw":
        pool = [threading.Thread(target=write_raw, args=(t, build(each))) for t in range(threads)]
    else:
        pool = [threading.Thread(target=write, args=(t,)) for t in range(threads)]
    with db.engine.connect():  # one connection warmed before the clock starts
        pass
    start.wait()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.send(delays)
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
            target=_writer_process, args=(url, mode, threads, each, start, theirs, p)
        )
        proc.start()
        jobs.append((proc, mine))
    time.sleep(3.0)  # every process imported, connected and its records built
    began = time.perf_counter()
    start.set()
    delays: list[float] = []
    for proc, pipe in jobs:
        delays += pipe.recv()
        proc.join()
    wall = time.perf_counter() - began
    total = each * writers
    found = {"rate": total / wall, "events": total}
    if mode != "a":
        found["queued_share"] = len(delays) / total
        if delays:
            ms = sorted(d * 1000 for d in delays)
            found["p50_ms"] = ms[len(ms) // 2]
            found["p99_ms"] = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
            found["max_ms"] = ms[-1]
    return found


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
                f"max {found.get('max_ms', 0):.1f} ms",
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
