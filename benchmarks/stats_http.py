"""Statistics over HTTP: each dashboard view and `GET /v1/stats` query under 300 ms, on
PostgreSQL holding the statistics of 1,000,000 financings and 1,000,000 payments.

It loads the cells and served rows that the upkeep (parties/stats) keeps for that many
records, not the records themselves: generating and registering 2,000,000 financings and
payments through their use cases takes hours on this machine, and what the queries read
is the cells alone. The records are drawn realistically first (in memory, seeded): about
2,800 county-level divisions weighted by a heavy tail (coastal provinces busier), 24
months, scenarios, currencies, classes, 30 banks serving a few each per county, 200,000
enterprises with heavy-tailed activity and sizes; then summed into the cells exactly as
the upkeep sums them (one cell per county, month, scenario, currency, class, bank and
measure; one served row per enterprise and county, month, scenario, class and bank), and
inserted with COPY; the rollups, cell rollups, reach and enterprise totals are derived from them
in SQL (`INSERT .. SELECT .. GROUP BY`, parties/stats/backfill.py, which
tests/supervision/test_stats_rollups.py proves equal to what the upkeep keeps). The
enterprises and banks are real `organizations` rows.

Then the real app under uvicorn answers, timed against the authenticated no-op
`GET /v1/me` in the same run: the dashboard (a head-office user's session) at the head
office, a province, a prefecture and a county, and `GET /v1/stats` queries.

    .venv/bin/python benchmarks/stats_http.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_stats
    .venv/bin/python benchmarks/stats_http.py --financings 100000 --payments 100000  # smaller

PostgreSQL: the database's `public` schema is DROPPED and recreated first, unless
`--reuse` times again over the cells an earlier run left there (the load takes minutes).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

import httpx
from sqlalchemy import func, select

from benchlib import bench_settings, fresh_database, print_header
from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.documents.ingest.bulk import insert_rows, table_of
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.models import (
    Jurisdiction,
    Organization,
    OrgKind,
    Principal,
    PrincipalKind,
    Role,
)
from crossfin.parties.schemas import OrgIn
from crossfin.parties.stats.backfill import fill_cell_rollups, fill_reach, fill_rollups
from crossfin.parties.stats.models import (
    StatCell,
    StatCellRollup,
    StatEnterpriseTotal,
    StatReach,
    StatRollup,
    StatServed,
)
from documents_verify import serve, timed

ACTOR = Actor(None, None, "benchmark")
TARGET = 0.300
PASSWORD = "benchmark-password"
MONTHS = [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
COASTAL = ("44", "32", "33", "31", "37", "35", "12", "21", "11", "13")
FINANCING = {"F1": 60, "F4": 20, "F5": 15, "F7": 5}
PAYMENT = {"P1": 5, "P2": 35, "P3": 55, "P4": 5}
# Units of the currency per USD (for the amounts kept beside the USD equivalent).
CURRENCIES = {
    "USD": (70, 1.0),
    "EUR": (12, 0.92),
    "CNY": (8, 7.1),
    "JPY": (4, 150.0),
    "HKD": (3, 7.8),
    "GBP": (3, 0.79),
}
SIZES = (("micro", 45), ("small", 30), ("medium", 12), ("large", 5), (None, 8))
CLASSES = (("A", 93), ("B", 6), ("C", 1))


def _pick(
    weights: dict[str, int] | tuple[tuple[Any, int], ...], rng: random.Random, k: int
) -> list[Any]:
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return rng.choices([i for i, _ in items], weights=[w for _, w in items], k=k)


def counties(db: Database) -> list[tuple[str, str]]:
    """(code, path) of every division a firm may sit in: counties, and prefecture-level
    cities without counties."""
    with db.session(readonly=True) as session:
        rows = session.execute(
            select(
                Jurisdiction.code, Jurisdiction.path, Jurisdiction.level, Jurisdiction.parent_code
            ).where(Jurisdiction.retired.is_(None))
        ).all()
    parents = {parent for _, _, level, parent in rows if level == "county"}
    return [
        (code, path)
        for code, path, level, _ in rows
        if level == "county" or (level == "prefecture" and code not in parents)
    ]


def parties(db: Database, n_banks: int) -> tuple[list[int], str, str]:
    """Banks; a head-office regulator with a portal user and an API key."""
    with UnitOfWork(db, ACTOR) as uow:
        banks = []
        for b in range(n_banks):
            letters = "".join(chr(65 + (b // 26**i) % 26) for i in range(4))
            bank, _ = service.add_org(
                uow,
                OrgIn(
                    kind=OrgKind.BANK,
                    name=f"Bench Bank {b + 1}",
                    bic=f"{letters}CNBJ",
                    jurisdictions=["000000"],
                ),
            )
            banks.append(bank.id)
        regulator, _ = service.add_org(
            uow, OrgIn(kind=OrgKind.REGULATOR, name="Bench SAFE", jurisdictions=["000000"])
        )
        credentials.add_principal(
            uow, regulator.id, PrincipalKind.USER, "bench.head", Role.ADMIN, PASSWORD
        )
        service_account, _ = credentials.add_principal(
            uow, regulator.id, PrincipalKind.SERVICE, "bench.api", Role.ADMIN
        )
        key = credentials.issue_key(uow, service_account.id)[1]
        uow.commit()
    return banks, key, "bench.head"


def enterprises(
    db: Database, n: int, places: list[tuple[str, str]], rng: random.Random
) -> list[tuple[int, str, str]]:
    """n enterprises (id, county path, class) seated by a heavy-tailed weight per county."""
    weight = [rng.paretovariate(1.1) * (4 if code[:2] in COASTAL else 1) for code, _ in places]
    seats = rng.choices(places, weights=weight, k=n)
    sizes, classes = _pick(SIZES, rng, n), _pick(CLASSES, rng, n)
    now = utcnow()
    rows = [
        {
            "kind": "enterprise",
            "name": f"Bench Trading {i + 1}",
            "name_zh": f"基准贸易{i + 1}号有限公司",
            "uscc": f"91{code}{i:010d}",
            "jurisdiction_code": code,
            "jurisdiction_path": path,
            "trade_class": klass,
            "size": size,
        }
        for i, ((code, path), size, klass) in enumerate(zip(seats, sizes, classes, strict=True))
    ]
    with db.engine.begin() as conn:
        insert_rows(conn, table_of(Organization), rows, now)
    with db.session(readonly=True) as session:
        ids = dict(
            session.execute(
                select(Organization.uscc, Organization.id).where(Organization.kind == "enterprise")
            ).all()
        )
    return [(ids[r["uscc"]], r["jurisdiction_path"], r["trade_class"]) for r in rows]


class Cells:
    """The cells and served rows of the records drawn, summed as the upkeep sums them."""

    def __init__(self) -> None:
        self.cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
        self.served: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])

    def add(self, key: tuple[Any, ...], measure: str, usd: int, amount: int) -> None:
        cell = self.cells[(*key, measure)]
        cell[0] += 1
        cell[1] += amount
        cell[2] += usd

    def serve(self, key: tuple[Any, ...], org_id: int, usd: int) -> None:
        row = self.served[(*key, org_id)]
        row[0] += 1
        row[1] += usd


def records(
    cells: Cells,
    n: int,
    scenarios: dict[str, int],
    firms: list[tuple[int, str, str]],
    banks_of: list[list[int]],
    rng: random.Random,
    financing: bool,
) -> None:
    """n financings or payments of the firms (heavy-tailed activity), into the cells."""
    activity = [rng.paretovariate(1.3) for _ in firms]
    who = rng.choices(range(len(firms)), weights=activity, k=n)
    growth = [1 + m / 12 for m in range(len(MONTHS))]
    months = rng.choices(range(len(MONTHS)), weights=growth, k=n)
    kinds = _pick(scenarios, rng, n)
    currencies = _pick({c: w for c, (w, _) in CURRENCIES.items()}, rng, n)
    for f, m, scenario, currency in zip(who, months, kinds, currencies, strict=True):
        org_id, path, klass = firms[f]
        bank = rng.choice(banks_of[f])
        usd = int(rng.lognormvariate(15.5, 1.1))  # minor units: a median near USD 54,000
        amount = int(usd * CURRENCIES[currency][1])
        key = (path, MONTHS[m], scenario, currency, klass, bank)
        if financing:
            cells.add(key, "registered", usd, amount)
            age = len(MONTHS) - 1 - m
            if rng.random() < 0.85:
                cells.add(key, "disbursed", usd, amount)
                if rng.random() < (0.8 if age < 6 else 0.08):
                    cells.add(key, "outstanding", usd, amount)
                    if age >= 6 and rng.random() < 0.3:
                        cells.add(key, "overdue", usd, amount)
            if rng.random() < 0.01:
                cells.add(key, "refused", 0, 0)
        elif rng.random() < 0.95:
            cells.add(key, "facilitated", usd, amount)
        else:
            continue
        cells.serve((path, MONTHS[m], scenario, klass, bank), org_id, usd)


def verifications(
    cells: Cells,
    firms: list[tuple[int, str, str]],
    banks_of: list[list[int]],
    rng: random.Random,
    n: int,
) -> None:
    """Verification answers (no scenario, currency or class), a few mismatched."""
    for _ in range(n):
        f = rng.randrange(len(firms))
        key = (firms[f][1], rng.choice(MONTHS), "", "", "", rng.choice(banks_of[f]))
        cells.add(key, "verified", 0, 0)
        if rng.random() < 0.03:
            cells.add(key, "mismatched", 0, 0)


def load(db: Database, cells: Cells) -> tuple[int, int]:
    names = ("county_path", "month", "scenario", "currency", "trade_class", "bank_org_id")
    rows = [
        dict(zip(names, key[:6], strict=True))
        | {"measure": key[6], "count": c, "amount_minor": a, "usd_minor": u}
        for key, (c, a, u) in cells.cells.items()
    ]
    served_names = ("county_path", "month", "scenario", "trade_class", "bank_org_id", "org_id")
    served = [
        dict(zip(served_names, key, strict=True)) | {"count": c, "usd_minor": u}
        for key, (c, u) in cells.served.items()
    ]
    with db.engine.begin() as conn:
        for start in range(0, len(rows), 200_000):
            insert_rows(conn, table_of(StatCell), rows[start : start + 200_000])
        for start in range(0, len(served), 200_000):
            insert_rows(conn, table_of(StatServed), served[start : start + 200_000])
        fill_rollups(conn)
        fill_cell_rollups(conn)
        fill_reach(conn)
        rollups = conn.scalar(select(func.count()).select_from(StatRollup))
        wide = conn.scalar(select(func.count()).select_from(StatCellRollup))
        reach = conn.scalar(select(func.count()).select_from(StatReach))
        totals = conn.scalar(select(func.count()).select_from(StatEnterpriseTotal))
    print(
        f"rollups: {rollups:,} of the cells, {wide:,} with banks and currencies; "
        f"reach: {reach:,} rows; {totals:,} enterprise totals",
        flush=True,
    )
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return len(rows), len(served)


def generate(db: Database, args: argparse.Namespace) -> tuple[str, str, int, int]:
    rng = random.Random(20261204)
    started = time.monotonic()
    banks, key, user = parties(db, args.banks)
    places = counties(db)
    firms = enterprises(db, args.enterprises, places, rng)
    bank_weight = [rng.paretovariate(1.0) for _ in banks]
    local = {
        path: rng.choices(banks, weights=bank_weight, k=rng.randint(3, 10)) for _, path in places
    }
    banks_of = [
        rng.sample(local[path], k=min(len(local[path]), rng.randint(1, 3))) for _, path, _ in firms
    ]
    cells = Cells()
    records(cells, args.financings, FINANCING, firms, banks_of, rng, financing=True)
    records(cells, args.payments, PAYMENT, firms, banks_of, rng, financing=False)
    verifications(cells, firms, banks_of, rng, args.financings)
    n_cells, n_served = load(db, cells)
    print(
        f"loaded {n_cells:,} cells and {n_served:,} served rows for {args.financings:,} "
        f"financings and {args.payments:,} payments of {len(firms):,} enterprises in "
        f"{len(places):,} divisions, {len(banks)} banks ({time.monotonic() - started:.0f} s)",
        flush=True,
    )
    return key, user, n_cells, n_served


def reuse(db: Database) -> tuple[str, str]:
    """A new API key for the regulator an earlier run made (keys are shown only once)."""
    with UnitOfWork(db, ACTOR) as uow:
        principal = uow.session.scalars(
            select(Principal).where(Principal.name == "bench.api")
        ).one()
        key = credentials.issue_key(uow, principal.id)[1]
        uow.commit()
    return key, "bench.head"


def busiest_bank(db: Database) -> int:
    """The bank most records went through (a one-bank filter should not find nothing)."""
    wide = StatCellRollup
    with db.engine.connect() as conn:
        found = conn.scalar(
            select(wide.bank_org_id)
            .where(wide.depth == 0, wide.bank_org_id != 0)
            .group_by(wide.bank_org_id)
            .order_by(func.sum(wide.count).desc())
            .limit(1)
        )
    return int(found or 0)


def login(client: httpx.Client, username: str) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code in (200, 303), answer.status_code


DASHBOARDS = {
    "dashboard: head office": "/dashboard",
    "dashboard: Guangdong (province)": "/dashboard?jurisdiction=440000",
    "dashboard: Shenzhen (prefecture)": "/dashboard?jurisdiction=440300",
    "dashboard: Nanshan (county)": "/dashboard?jurisdiction=440305",
}
QUERIES = {
    "stats: head office by province and month": "/v1/stats?group_by=province,month",
    "stats: Guangdong by prefecture, 2 measures": "/v1/stats?jurisdiction=440000"
    "&group_by=prefecture&measure=registered,facilitated",
    "stats: Shenzhen by county, month, class": "/v1/stats?jurisdiction=440300"
    "&group_by=county,month,class",
    "stats: head office by bank and class, 2026": "/v1/stats?group_by=bank,class&from=2026-01",
    "stats: head office by currency and scenario": "/v1/stats?group_by=currency,scenario",
    "stats: Guangdong by bank, 2026": "/v1/stats?jurisdiction=440000&group_by=bank&from=2026-01",
    # Below a province a bank is read from the cells (no cell rollups there).
    "stats: Shenzhen by bank and month": "/v1/stats?jurisdiction=440300&group_by=bank,month",
    "stats: head office, one bank, by scenario": "/v1/stats?group_by=scenario&bank=BANK",
    "stats: head office by province, CSV": "/v1/stats?group_by=province&format=csv",
    "stats: top enterprises, head office": "/v1/stats/top-enterprises?limit=10",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--financings", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--banks", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per view")
    parser.add_argument(
        "--reuse", action="store_true", help="time again over the cells an earlier run loaded"
    )
    args = parser.parse_args()
    settings = bench_settings(args.database_url, log_level="WARNING")
    if args.reuse:
        db = Database(settings.database_url)
        key, user = reuse(db)
    else:
        db = fresh_database(settings.database_url)
        key, user, _, _ = generate(db, args)
    bank = busiest_bank(db)
    server, base = serve(settings, db)
    print_header(settings.database_url)
    ok = True
    with (
        httpx.Client(base_url=base, timeout=120) as portal,
        httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {key}"}) as api,
    ):
        login(portal, user)
        for _ in range(20):
            api.get("/v1/me").raise_for_status()
        noop = statistics.median(timed(lambda: api.get("/v1/me").raise_for_status(), 200))
        print(f"GET /v1/me (authenticated no-op): median {noop * 1000:.2f} ms")
        for client, views in ((portal, DASHBOARDS), (api, QUERIES)):
            for name, path in views.items():
                path = path.replace("BANK", str(bank))
                client.get(path).raise_for_status()  # warm: plans, caches
                times = timed(lambda c=client, p=path: c.get(p).raise_for_status(), args.repeat)
                median = statistics.median(times)
                passed = median < TARGET
                ok &= passed
                print(
                    f"{name}: median {median * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                    f"({median / noop:,.0f}x the no-op) target < {TARGET * 1000:.0f} ms: "
                    f"{'PASS' if passed else 'FAIL'}",
                    flush=True,
                )
    server.should_exit = True
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
