"""P3 freight payments over HTTP: verify-and-tag 10,000 invoices in one upload (< 2 s), and
5 banks racing to tag the same 1,000 invoices (exactly one tag each, no 5xx).

Starts the real app under uvicorn on a free loopback port, inserts freight VAT invoices
straight into a fresh database, and times `POST /v1/payments/uploads` (a CSV template, one
payment per invoice: each checked against the tax record, tagged single use, one ledger
event each) against an authenticated no-op (`GET /v1/me`) measured in the same run.

    .venv/bin/python benchmarks/payments_p3.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_payments
    .venv/bin/python benchmarks/payments_p3.py                          # SQLite, temp dir

PostgreSQL: the database's `public` schema is DROPPED and recreated first.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import threading
import time
from collections import Counter

import httpx
from sqlalchemy import func, insert, select

from benchlib import bench_settings, fresh_database, print_header
from crossfin.api.asgi import tune_collector
from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentVersion
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.identifiers import make_uscc, org_code_with_check
from crossfin.parties.models import OrgKind, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn
from crossfin.payments.models import PaymentUse
from documents_verify import serve, timed

ACTOR = Actor(None, None, "benchmark")
TARGET = 2.0
HEADER = (
    "external_ref,payer_uscc,payee_name,payee_country,payee_account,amount,currency,"
    "fx_rate,invoice_no,invoice_amount,invoice_tax_amount\n"
)


def parties(db: Database, banks: int) -> tuple[int, int, str, list[str]]:
    """A class-A forwarder, the tax source, and `banks` banks with an operator's API key."""
    with UnitOfWork(db, ACTOR) as uow:
        firm, _ = service.add_org(
            uow,
            OrgIn(
                kind=OrgKind.ENTERPRISE,
                name="Bench Forwarder",
                uscc=make_uscc("9", "1", "440305", org_code_with_check("77000002")),
                jurisdictions=["440305"],
            ),
        )
        tax, _ = service.add_org(uow, OrgIn(kind=OrgKind.TAX, name="Bench Tax Bureau"))
        keys_out = []
        for n in range(banks):
            bank, _ = service.add_org(
                uow,
                OrgIn(
                    kind=OrgKind.BANK,
                    name=f"Bench Bank {n}",
                    bic=f"BEN{chr(65 + n)}CNBJ",
                    jurisdictions=["440000"],
                ),
            )
            principal, _ = credentials.add_principal(
                uow, bank.id, PrincipalKind.SERVICE, "bench", Role.OPERATOR
            )
            keys_out.append(credentials.issue_key(uow, principal.id)[1])
        uow.commit()
        assert firm.uscc
        return firm.id, tax.id, firm.uscc, keys_out


def publish(db: Database, n: int, firm_id: int, tax_id: int, uscc: str) -> list[str]:
    """n freight invoices bought by the forwarder, inserted in bulk; their numbers."""
    spec = get_kind("vat_invoice")
    now, docs, bodies = utcnow(), [], []
    for i in range(n):
        record = {
            "invoice_no": f"2644200{i + 1:013d}",
            "seller_uscc": "91440300MA5DC6QX9C",
            "buyer_uscc": uscc,
            "currency": "CNY",
            "amount": "8000.00",
            "tax_amount": "720.00",
            "issue_date": "2026-11-20",
            "category": "freight",
        }
        body = canonical_json(spec.validate(record))
        bodies.append(body)
        docs.append(
            {
                "kind": spec.name,
                "key": record["invoice_no"],
                "source_org_id": tax_id,
                "owner_uscc": uscc,
                "owner_org_id": firm_id,
                "jurisdiction_path": "/000000/440000/440300/440305/",
                "version": 1,
                "value_minor": 872_000,
                "currency": "CNY",
                "single_use": False,
                "digest": hashlib.sha256(body).digest(),
                "created_at": now,
                "updated_at": now,
            }
        )
    with UnitOfWork(db, ACTOR) as uow:
        uow.session.execute(insert(Document), docs)
        ids = dict(uow.session.execute(select(Document.key, Document.id)).all())
        uow.session.execute(
            insert(DocumentVersion),
            [
                {
                    "document_id": ids[d["key"]],
                    "version": 1,
                    "content": body.decode(),
                    "record_digest": hashlib.sha256(body).digest(),
                    "value_minor": d["value_minor"],
                    "currency": "CNY",
                    "created_at": now,
                }
                for d, body in zip(docs, bodies, strict=True)
            ],
        )
        uow.commit()
    return [d["key"] for d in docs]


def template(uscc: str, invoices: list[str], prefix: str) -> bytes:
    rows = [
        f"{prefix}-{i},{uscc},Maersk A/S,DK,DK5000400440116243,1200.00,USD,7.10,{key},"
        "8000.00,720.00\n"
        for i, key in enumerate(invoices)
    ]
    return (HEADER + "".join(rows)).encode()


def upload(client: httpx.Client, key: str, body: bytes) -> httpx.Response:
    return client.post(
        "/v1/payments/uploads?format=csv",
        content=body,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv"},
    )


def contention(base: str, db: Database, uscc: str, invoices: list[str], keys: list[str]) -> bool:
    """Every bank uploads the same invoices, in parts of 100 in its own random order."""
    statuses: Counter[int] = Counter()
    submitted: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(keys))

    def bank(n: int, key: str) -> None:
        order = invoices[:]
        random.Random(n).shuffle(order)
        parts = [order[i : i + 100] for i in range(0, len(order), 100)]
        with httpx.Client(base_url=base, timeout=300) as client:
            barrier.wait()
            for p, part in enumerate(parts):
                res = upload(client, key, template(uscc, part, f"race-{n}-{p}"))
                with lock:
                    statuses[res.status_code] += 1
                    if res.status_code == 200:
                        for row in res.json()["results"]:
                            if row["outcome"] == "submitted":
                                submitted[row["invoice"]] += 1
                            else:
                                statuses[row["status"]] += 0  # counted below as refusals
                                assert row["problem"] == "already-used", row

    started = time.perf_counter()
    threads = [threading.Thread(target=bank, args=(n, k)) for n, k in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    with db.session(readonly=True) as session:
        wanted = select(Document.id).where(Document.key.in_(invoices))
        active = session.scalar(
            select(func.count()).where(
                PaymentUse.document_id.in_(wanted), PaymentUse.active.is_(True)
            )
        )
    once = all(submitted[k] == 1 for k in invoices) and len(submitted) == len(invoices)
    errors = sum(v for s, v in statuses.items() if s >= 500)
    ok = once and active == len(invoices) and errors == 0
    print(
        f"contention: {len(keys)} banks x {len(invoices)} invoices in parts of 100: "
        f"{took:.2f} s; uploads by status {dict(statuses)}; tags per invoice "
        f"{dict(Counter(submitted.values()))}; active uses {active}; 5xx {errors}: "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--banks", type=int, default=5)
    parser.add_argument("--contended", type=int, default=1_000)
    args = parser.parse_args()
    settings = bench_settings(args.database_url, log_level="WARNING")
    url = settings.database_url
    db = fresh_database(url)
    firm_id, tax_id, uscc, api_keys = parties(db, args.banks)
    runs = args.repeat + 1
    invoices = publish(db, args.rows * runs + args.contended, firm_id, tax_id, uscc)
    server, base = serve(settings, db)
    # The collector as `crossfin serve` sets it in each worker (crossfin.api.asgi): with
    # Python's defaults, full collections over the upload's live objects cost ~1 s of it.
    tune_collector()
    print_header(url)
    ok = True
    with httpx.Client(base_url=base, timeout=300) as client:
        auth = {"Authorization": f"Bearer {api_keys[0]}"}
        for _ in range(20):
            client.get("/v1/me", headers=auth).raise_for_status()
        noop = statistics.median(
            timed(lambda: client.get("/v1/me", headers=auth).raise_for_status(), 200)
        )
        print(f"GET /v1/me (authenticated no-op): median {noop * 1000:.2f} ms")
        bodies = iter(
            template(uscc, invoices[r * args.rows : (r + 1) * args.rows], f"bench-{r}")
            for r in range(runs)
        )

        def run() -> None:
            res = upload(client, api_keys[0], next(bodies))
            res.raise_for_status()
            assert res.json()["submitted"] == args.rows, res.json()["results"][:3]

        run()  # warm-up
        times = timed(run, args.repeat)
        median = statistics.median(times)
        passed = median < TARGET
        ok &= passed
        print(
            f"POST /v1/payments/uploads {args.rows} rows (verify and tag): median "
            f"{median:.3f} s (min {min(times):.3f}, max {max(times):.3f}; "
            f"{args.rows / median:,.0f} invoices/s; {median / noop:,.0f}x the no-op) "
            f"target < {TARGET:.0f} s: {'PASS' if passed else 'FAIL'}"
        )
    ok &= contention(base, db, uscc, invoices[-args.contended :], api_keys)
    server.should_exit = True
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
