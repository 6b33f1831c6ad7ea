"""What enabling `financing-above-exports` costs a registration (issue 12).

In process, through the one function every entry point calls
(`financing.registration.register_applications`, each registration its own transaction):
one exporter with `--history` export declarations of the last year in USD, EUR and CNY
(the daily table holding the EUR/USD and USD/CNY rates), registers `--registrations` F1
loans on its declarations with the rule off, then as many with it on (at the default 80 %,
which these loans never reach: the rule judges, raises nothing), alternating in `--rounds`
rounds. The figure is the ratio of the mean registration time with the rule on to the
mean with it off, measured in the same run; the loans pile up as live financings, which
the rule also sums.

    .venv/bin/python benchmarks/exports_alert.py --history 2000
    .venv/bin/python benchmarks/exports_alert.py --history 2000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_exports

Only APIs older than the set-based rule are used, so that the code before it runs the same
script: `git archive <commit> src | tar -x -C /tmp/before`, then
`PYTHONPATH=/tmp/before/src .venv/bin/python benchmarks/exports_alert.py ...`.
PostgreSQL: the database's `public` schema is DROPPED and recreated first.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from datetime import timedelta

from sqlalchemy import insert

from benchlib import bench_settings, fresh_database, print_header
from crossfin.core.canonical import canonical_json
from crossfin.core.clock import business_date, utcnow
from crossfin.core.db import Actor, Database
from crossfin.documents.fx import RateRow, load_rates
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentVersion
from crossfin.financing import registration
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.access import Caller
from crossfin.parties.alert_rules import set_rule
from crossfin.parties.alerts import AlertKind
from crossfin.parties.credentials import caller_for
from crossfin.parties.identifiers import make_uscc, org_code_with_check
from crossfin.parties.models import OrgKind, Principal, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn

ACTOR = Actor(None, None, "benchmark")
CURRENCIES = ("USD", "EUR", "CNY")
PATH = "/000000/440000/440300/440305/"


def setup(db: Database, history: int) -> tuple[str, Caller, list[tuple[str, str]]]:
    """The exporter, a bank operator, the rates and `history` declarations."""
    with UnitOfWork(db, ACTOR) as uow:
        uscc = make_uscc("9", "1", "440305", org_code_with_check("66000002"))
        firm, _ = service.add_org(
            uow,
            OrgIn(
                kind=OrgKind.ENTERPRISE, name="Bench Exporter", uscc=uscc, jurisdictions=["440305"]
            ),
        )
        customs, _ = service.add_org(
            uow, OrgIn(kind=OrgKind.CUSTOMS, name="Bench Customs", customs_code="5301")
        )
        bank, _ = service.add_org(
            uow,
            OrgIn(kind=OrgKind.BANK, name="Bench Bank", bic="BNKACNBJ", jurisdictions=["440000"]),
        )
        principal, _ = credentials.add_principal(
            uow, bank.id, PrincipalKind.SERVICE, "loans", Role.OPERATOR
        )
        day = business_date()
        load_rates(
            uow,
            [
                RateRow(day - timedelta(days=1), "EUR", "USD", "1.08"),
                RateRow(day, "USD", "CNY", "7.12"),
            ],
        )
        uow.commit()
    keys = _declarations(db, firm.id, customs.id, uscc, history)
    with db.session(readonly=True) as session:
        caller = caller_for(session, session.get_one(Principal, principal.id))
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return uscc, caller, keys


def _declarations(
    db: Database, firm_id: int, customs_id: int, uscc: str, count: int
) -> list[tuple[str, str]]:
    spec, now = get_kind("customs_declaration"), utcnow()
    docs, versions, keys = [], [], []
    for i in range(1, count + 1):
        key, currency = f"5301{now.year}0{i:09d}", CURRENCIES[i % 3]
        content = spec.validate(
            {
                "declaration_no": key,
                "enterprise_uscc": uscc,
                "buyer_name": "Bench Buyer",
                "buyer_country": "NL",
                "currency": currency,
                "total_value": "10000.00",
                "export_date": (now.date() - timedelta(days=i % 360)).isoformat(),
                "trade_mode": "0110",
            }
        )
        raw, digest = canonical_json(content), hashlib.sha256(canonical_json(content)).digest()
        value, _ = spec.value_of(content)
        common = {"value_minor": value, "currency": currency, "created_at": now}
        docs.append(
            {
                "id": i,
                "kind": spec.name,
                "key": key,
                "source_org_id": customs_id,
                "owner_uscc": uscc,
                "owner_org_id": firm_id,
                "jurisdiction_path": PATH,
                "version": 1,
                "single_use": False,
                "digest": digest,
                "updated_at": now,
                **common,
            }
        )
        versions.append(
            {"document_id": i, "version": 1, "content": raw.decode(), "record_digest": digest}
            | common
        )
        keys.append((key, currency))
    with db.engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(Document), docs[start : start + 5000])
            conn.execute(insert(DocumentVersion), versions[start : start + 5000])
    return keys


def _rule(db: Database, enabled: bool) -> None:
    with UnitOfWork(db, ACTOR) as uow:
        set_rule(
            uow, None, AlertKind.ABOVE_EXPORTS, "000000", enabled=enabled, params={}, reason="bench"
        )
        uow.commit()


def register(db: Database, caller: Caller, uscc: str, key: str, currency: str, ref: str) -> float:
    """One registration, its own transaction; seconds."""
    data = FinancingIn(
        scenario="F1",
        external_ref=ref,
        enterprise_uscc=uscc,
        amount="100.00",  # 1 % of the declaration: the firm stays far below 80 % of exports
        currency=currency,
        documents=[DocumentShareIn(kind="customs_declaration", key=key)],
    )
    start = time.perf_counter()
    [outcome] = registration.register_applications(
        Transactions.own(db, caller.actor), [registration.Application(caller, data)], 72
    )
    took = time.perf_counter() - start
    registration.registered(outcome)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--registrations", type=int, default=50, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = bench_settings(args.database_url)
    db = fresh_database(settings.database_url)
    print_header(settings.database_url)
    uscc, caller, keys = setup(db, args.history)
    free = iter(keys)
    times: dict[bool, list[float]] = {False: [], True: []}
    for n in range(args.rounds):
        for enabled in (False, True):
            _rule(db, enabled)
            for i in range(args.registrations):
                key, currency = next(free)
                times[enabled].append(
                    register(db, caller, uscc, key, currency, f"B-{n}-{enabled}-{i}")
                )
    off, on = (statistics.mean(times[e]) * 1000 for e in (False, True))
    p95 = {e: sorted(times[e])[int(len(times[e]) * 0.95)] * 1000 for e in times}
    print(
        f"history {args.history} declarations, {args.rounds} x {args.registrations} "
        "registrations per phase"
    )
    print(f"rule off: mean {off:.2f} ms, p95 {p95[False]:.2f} ms")
    print(f"rule on:  mean {on:.2f} ms, p95 {p95[True]:.2f} ms")
    print(f"ratio on/off: {on / off:.2f}x")
    db.dispose()


if __name__ == "__main__":
    main()
