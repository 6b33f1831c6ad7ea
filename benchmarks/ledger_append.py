"""Ledger appends per second, batched and one per transaction, against a same-run ceiling.

Three ways in, each timed on its own fresh database:
  * end to end: `UnitOfWork.record` + `commit`, i.e. building the canonical record (RFC 8785,
    salt, SHA-256) and sequencing it (design (a): head lock at commit);
  * sequencer only: records already built, so only sequencing and storage are timed (the
    figure comparable to a log's integration rate, e.g. Tessera's);
  * ceiling: a raw DBAPI `executemany` of exactly the rows the sequencer writes (events,
    their parties, every new subtree hash, the head update), same transaction sizes.
Each rate is also given as a ratio to the ceiling of the same run, so the figures travel
between machines; `--runs N` repeats the three N times (the machine may be shared).

    .venv/bin/python benchmarks/ledger_append.py --runs 3             # SQLite, temp dir
    .venv/bin/python benchmarks/ledger_append.py --runs 3 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/crossfin_ledger_bench

PostgreSQL: the database's `public` schema is DROPPED and recreated (several times).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import PendingEvent, new_event
from crossfin.ledger.proofs import append_to_edge
from crossfin.ledger.uow import UnitOfWork

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import fresh_database, machine_info, print_header

ACTOR = Actor(1, 1, "benchmark")
TARGETS = {"batched": 30_000, "single": 2_000}


def fresh(url: str) -> Database:
    """An empty, migrated database with a ledger head."""
    return fresh_database(url, jurisdictions=False)


def build(count: int) -> list[PendingEvent]:
    """Events as a business transaction would record them (one party besides the actor)."""
    return [
        new_event(EventType.ORG_ADDED, ACTOR, {"org": i}, {"n": i, "name": f"Org {i}"}, {2})
        for i in range(count)
    ]


def end_to_end(db: Database, count: int, per_tx: int) -> None:
    for start in range(0, count, per_tx):
        with UnitOfWork(db, ACTOR) as uow:
            for i in range(start, min(count, start + per_tx)):
                uow.record(
                    EventType.ORG_ADDED,
                    subjects={"org": i},
                    content={"n": i, "name": f"Org {i}"},
                    parties={2},
                )
            uow.commit()


def sequencer_only(db: Database, events: Sequence[PendingEvent], per_tx: int) -> None:
    for start in range(0, len(events), per_tx):
        with UnitOfWork(db, ACTOR) as uow:
            uow.pending = list(events[start : start + per_tx])
            uow.commit()


def ceiling_rows(events: Sequence[PendingEvent], per_tx: int) -> list[dict[str, Any]]:
    """Per transaction, the exact rows the sequencer writes (computed outside the timing)."""
    batches, edge, size, now = [], [], 0, utcnow()
    for start in range(0, len(events), per_tx):
        chunk = events[start : start + per_tx]
        result = append_to_edge(edge, (e.leaf for e in chunk), size)
        batches.append(
            {
                "events": [
                    (
                        size + i,
                        e.event_id,
                        e.event_type.value,
                        e.record,
                        e.leaf,
                        e.actor_org_id,
                        now,
                    )
                    for i, e in enumerate(chunk)
                ],
                "parties": [(size + i, org) for i, e in enumerate(chunk) for org in e.parties],
                "hashes": [(lvl, n, h) for (lvl, n), h in result.hashes],
                "head": (result.size, result.root, b"".join(result.right_edge), now),
            }
        )
        edge, size = result.right_edge, result.size
    return batches


def ceiling(db: Database, batches: list[dict[str, Any]]) -> None:
    """The same rows through the bare DBAPI cursor: no ORM, no Core, no record building."""
    mark = "?" if db.dialect == "sqlite" else "%s"
    sql = {
        "events": "INSERT INTO ledger_events (leaf_index, event_id, type, record, leaf_hash, "
        f"actor_org_id, created_at) VALUES ({', '.join([mark] * 7)})",
        "parties": f"INSERT INTO ledger_event_parties (leaf_index, org_id) VALUES ({mark}, {mark})",
        "hashes": f"INSERT INTO ledger_hashes (level, idx, hash) VALUES ({mark}, {mark}, {mark})",
        "head": f"UPDATE ledger_head SET size={mark}, root={mark}, edge={mark}, "
        f"updated_at={mark} WHERE id=1",
    }
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.dialect == "sqlite":
            raw.driver_connection.isolation_level = None  # type: ignore[union-attr]
        for batch in batches:
            if db.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            for table in ("events", "parties", "hashes"):
                cursor.executemany(sql[table], batch[table])
            cursor.execute(sql["head"], batch["head"])
            raw.commit() if db.dialect != "sqlite" else cursor.execute("COMMIT")
    finally:
        raw.close()


def timed(label: str, count: int, fn: Callable[[], None]) -> dict[str, float]:
    """Run fn; print and return the wall-clock rate and the rate per CPU-second of this process.

    On a shared machine the second is the steadier figure for SQLite, whose work all
    happens in this process; PostgreSQL's server work is not in it.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"  {label:<48} {count / wall:>10,.0f} events/s  ({count / cpu:>9,.0f} per CPU-s)",
        flush=True,
    )
    return {"wall": count / wall, "cpu": count / cpu}


def run_mode(url: str, mode: str, count: int, per_tx: int, runs: int) -> dict[str, Any]:
    """One mode (batched or single): `runs` times ceiling, sequencer only, end to end."""
    print(f"{mode}: {count:,} events, {per_tx} per transaction, {runs} run(s)", flush=True)
    started = time.perf_counter()
    prebuilt = build(count)
    build_rate = count / (time.perf_counter() - started)
    print(f"  {'record building alone (no database)':<48} {build_rate:>10,.0f} events/s")
    batches = ceiling_rows(prebuilt, per_tx)  # exactly the rows the sequencer will write
    found: list[dict[str, dict[str, float]]] = []
    for run in range(runs):
        if runs > 1:
            print(f" run {run + 1}", flush=True)
        events = prebuilt if run == 0 else build(count)  # fresh event ids for each run
        found.append(
            {
                "ceiling": on_fresh(
                    url,
                    "ceiling: raw executemany of the same rows",
                    count,
                    lambda db: ceiling(db, batches),
                ),
                "sequencer_only": on_fresh(
                    url,
                    "sequencer only (records prebuilt)",
                    count,
                    lambda db, e=events: sequencer_only(db, e, per_tx),
                ),
                "end_to_end": on_fresh(
                    url,
                    "end to end (UnitOfWork.record + commit)",
                    count,
                    lambda db: end_to_end(db, count, per_tx),
                ),
            }
        )
    target = TARGETS[mode]
    for name in ("sequencer_only", "end_to_end"):
        ratios = [r[name]["wall"] / r["ceiling"]["wall"] for r in found]
        walls = [r[name]["wall"] for r in found]
        verdict = "met" if statistics.median(walls) >= target else "MISSED"
        print(
            f"  {name}: {_span(ratios, '.2f')} x ceiling; {_span(walls, ',.0f')} /s; "
            f"SQLite target {target:,}/s {verdict} (median)"
        )
    return {"record_building": build_rate, "runs": found, "target": target}


def _span(values: list[float], spec: str) -> str:
    low, high = min(values), max(values)
    return f"{low:{spec}}" if low == high else f"{low:{spec}}-{high:{spec}}"


def on_fresh(url: str, label: str, count: int, fn: Callable[[Database], None]) -> dict[str, float]:
    """Time fn on a fresh database."""
    db = fresh(url)
    try:
        return timed(label, count, lambda: fn(db))
    finally:
        db.dispose()


def concurrent(url: str, threads: int, each: int) -> dict[str, float]:
    """Threads committing one event per transaction at once: the head lock's price."""
    print(f"concurrent: {threads} threads x {each:,} events, one per transaction", flush=True)
    pool = ThreadPoolExecutor(threads)

    def run(db: Database) -> None:
        for future in [pool.submit(end_to_end, db, each, 1) for _ in range(threads)]:
            future.result()

    try:
        return on_fresh(url, "end to end, all threads together", threads * each, run)
    finally:
        pool.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    parser.add_argument("--batched", type=int, default=50_000, help="events, batched mode")
    parser.add_argument("--batch", type=int, default=1_000, help="events per transaction")
    parser.add_argument("--single", type=int, default=3_000, help="events, one per tx")
    parser.add_argument("--threads", type=int, default=8, help="writers, concurrent mode")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="repeat ceiling, sequencer only and end to end this many times",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        print_header(url)
        results = {
            "machine": machine_info(url),
            "batched": run_mode(url, "batched", args.batched, args.batch, args.runs),
            "single": run_mode(url, "single", args.single, 1, args.runs),
            "concurrent": concurrent(url, args.threads, args.single // args.threads),
        }
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
