"""Bulk verification over HTTP: 1,000 items (< 1 s) and 10,000 items (< 3 s).

Starts the real app under uvicorn on a free loopback port, publishes documents straight
into a fresh database, and times `POST /v1/documents/verify` against an authenticated
no-op (`GET /v1/me`) measured in the same run, so the ratio travels between machines.

    .venv/bin/python benchmarks/documents_verify.py                     # SQLite, temp dir
    .venv/bin/python benchmarks/documents_verify.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_verify

PostgreSQL: the database's `public` schema is DROPPED and recreated first.
"""

from __future__ import annotations

import argparse
import hashlib
import socket
import statistics
import sys
import threading
import time
from typing import Any

import httpx
import uvicorn
from sqlalchemy import insert, select

from benchlib import bench_settings, fresh_database, print_header
from crossfin.api.app import create_app
from crossfin.core.canonical import canonical_json
from crossfin.core.clock import utcnow
from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings
from crossfin.documents.kinds.registry import get_kind
from crossfin.documents.models import Document, DocumentVersion
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties import credentials, service
from crossfin.parties.identifiers import make_uscc, org_code_with_check
from crossfin.parties.models import OrgKind, PrincipalKind, Role
from crossfin.parties.schemas import OrgIn

ACTOR = Actor(None, None, "benchmark")
TARGETS = {1_000: 1.0, 10_000: 3.0}


def prepare(url: str) -> Database:
    return fresh_database(url)


def parties(db: Database) -> tuple[int, int, str]:
    """An exporter, a customs district and a bank with an API key."""
    with UnitOfWork(db, ACTOR) as uow:
        firm, _ = service.add_org(
            uow,
            OrgIn(
                kind=OrgKind.ENTERPRISE,
                name="Bench Exporter",
                uscc=make_uscc("9", "1", "440305", org_code_with_check("77000001")),
                jurisdictions=["440305"],
            ),
        )
        customs, _ = service.add_org(
            uow, OrgIn(kind=OrgKind.CUSTOMS, name="Bench Customs", customs_code="5316")
        )
        bank, _ = service.add_org(
            uow,
            OrgIn(kind=OrgKind.BANK, name="Bench Bank", bic="BENCCNBJ", jurisdictions=["440000"]),
        )
        principal, _ = credentials.add_principal(
            uow, bank.id, PrincipalKind.SERVICE, "bench", Role.OPERATOR
        )
        _, api_key, _ = credentials.issue_key(uow, principal.id)
        uow.commit()
        return firm.id, customs.id, api_key


def publish(db: Database, n: int, firm_id: int, customs_id: int) -> list[dict[str, Any]]:
    """n customs declarations inserted in bulk; returns one claim per document."""
    from crossfin.parties.models import Organization

    spec = get_kind("customs_declaration")
    with UnitOfWork(db, ACTOR) as uow:
        firm = uow.session.get(Organization, firm_id)
        assert firm is not None and firm.uscc
        now, docs, bodies, claims = utcnow(), [], [], []
        for i in range(n):
            record = {
                "declaration_no": f"531620260{i + 1:09d}",
                "enterprise_uscc": firm.uscc,
                "buyer_name": f"Buyer {i % 97} GmbH",
                "buyer_country": "DE",
                "currency": "USD",
                "total_value": f"{10_000 + i}.50",
                "export_date": "2026-03-02",
                "trade_mode": "0110",
            }
            content = spec.validate(record)
            body = canonical_json(content)
            bodies.append(body)
            docs.append(
                {
                    "kind": spec.name,
                    "key": content["declaration_no"],
                    "source_org_id": customs_id,
                    "owner_uscc": firm.uscc,
                    "owner_org_id": firm.id,
                    "jurisdiction_path": firm.jurisdiction_path,
                    "version": 1,
                    "value_minor": (10_000 + i) * 100 + 50,
                    "currency": "USD",
                    "single_use": False,
                    "digest": hashlib.sha256(body).digest(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            claims.append(
                {
                    "kind": spec.name,
                    "key": record["declaration_no"],
                    "fields": {
                        "total_value": record["total_value"],
                        "currency": "USD",
                        "export_date": "2026-03-02",
                        "buyer_country": "DE",
                    },
                }
            )
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
                    "currency": "USD",
                    "created_at": now,
                }
                for d, body in zip(docs, bodies, strict=True)
            ],
        )
        uow.commit()
    return claims


def mixed(claims: list[dict[str, Any]], size: int, offset: int) -> list[dict[str, Any]]:
    """`size` claims: 90 % right, 5 % with a wrong amount, 5 % for no such document."""
    out = []
    for i in range(size):
        item = dict(claims[(offset + i) % len(claims)])
        if i % 20 == 1:
            item = item | {"fields": item["fields"] | {"total_value": "1.00"}}
        elif i % 20 == 2:
            item = {"kind": item["kind"], "key": f"5316202619{offset + i:08d}", "fields": {}}
        out.append(item)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(settings: Settings, db: Database) -> tuple[uvicorn.Server, str]:
    port = free_port()
    app = create_app(settings, db)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = bench_settings(args.database_url, log_level="WARNING")
    url = settings.database_url
    db = prepare(url)
    firm_id, customs_id, api_key = parties(db)
    claims = publish(db, args.documents, firm_id, customs_id)
    server, base = serve(settings, db)
    print_header(url)
    ok = True
    with httpx.Client(
        base_url=base, timeout=120, headers={"Authorization": f"Bearer {api_key}"}
    ) as client:
        for _ in range(20):
            client.get("/v1/me").raise_for_status()
        noop = statistics.median(timed(lambda: client.get("/v1/me").raise_for_status(), 200))
        print(f"GET /v1/me (authenticated no-op): median {noop * 1000:.2f} ms")
        for size, target in TARGETS.items():
            offset = [0]

            def run(size: int = size, offset: list[int] = offset) -> None:
                body = {"items": mixed(claims, size, offset[0])}
                offset[0] += size
                response = client.post("/v1/documents/verify", json=body)
                response.raise_for_status()
                assert len(response.json()["items"]) == size

            run()  # warm-up
            times = timed(run, args.repeat)
            median = statistics.median(times)
            passed = median < target
            ok &= passed
            print(
                f"POST /v1/documents/verify {size:>6} items: median {median:.3f} s "
                f"(min {min(times):.3f}, max {max(times):.3f}; {size / median:,.0f} items/s;"
                f" {median / noop:,.0f}x the no-op) target < {target:.0f} s: "
                f"{'PASS' if passed else 'FAIL'}"
            )
    server.should_exit = True
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
