"""Promise 1 under real concurrency: many banks, one declaration, never beyond its value.

Three storms, each on SQLite and PostgreSQL (CROSSFIN_TEST_DATABASE_URL): 50 HTTP requests
from 5 banks through a live uvicorn (threads), 5 processes calling the service layer with
their own connections, and 50 HTTP requests to `crossfin serve --workers 3`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from crossfin.core import secrets
from crossfin.core.money import parse_amount
from crossfin.core.settings import Settings
from crossfin.documents.models import DocumentBalance
from crossfin.financing.models import Financing, FinancingUse
from crossfin.ledger import keys
from crossfin.ledger.models import LedgerEvent
from support.financing import application, declaration, make_firms
from support.financing_storm import free_port, http_storm, live_server, service_worker
from support.stats import assert_stats_match_recount

VALUE = "1000.00"


def storm_bodies(firms, doc, count=50, seed=7):
    rng = random.Random(seed)
    return [
        (
            firms.banks[i % len(firms.banks)],
            application(
                firms, [doc], f"{rng.randint(10, 90)}.{rng.randint(0, 99):02d}", ref=f"STORM-{i}"
            ),
        )
        for i in range(count)
    ]


def check_invariants(db, doc, accepted_refs, refused_count):
    """Uses within value, balance = active uses, every acceptance and refusal in the log."""
    with db.session(readonly=True) as session:
        balance = session.get(DocumentBalance, doc.id)
        active = session.scalar(
            select(
                func.coalesce(
                    func.sum(FinancingUse.reserved_minor - FinancingUse.released_minor), 0
                )
            ).where(FinancingUse.document_id == doc.id, FinancingUse.active.is_(True))
        )
        financings = session.scalars(select(Financing)).all()
        records = [
            json.loads(r)
            for r in session.scalars(
                select(LedgerEvent.record).where(LedgerEvent.type == "financing:financing:register")
            )
        ]
        refusals = session.scalar(
            select(func.count()).where(LedgerEvent.type == "financing:attempt:refuse")
        )
    assert balance.used_minor <= doc.value_minor
    assert balance.used_minor == active
    assert sorted(f.external_ref for f in financings) == sorted(accepted_refs)
    logged = sorted(r["subjects"]["financing"] for r in records)
    assert logged == sorted(f.id for f in financings)
    assert refusals == refused_count
    return balance.used_minor


def test_http_storm_five_banks_one_declaration(app, db):
    firms = make_firms(db, banks=5)
    doc = declaration(db, firms, VALUE)
    plan = storm_bodies(firms, doc)
    with live_server(app) as base:
        outcomes = http_storm(base, [(bank.headers, body) for bank, body in plan])
    accepted, refused = [], 0
    for (_, body), out in zip(plan, outcomes, strict=True):
        if out.status == 201:
            accepted.append(body["external_ref"])
        else:
            assert out.status == 409, out.body
            assert out.body["type"].rsplit("/", 1)[1] in {"over-financing", "duplicate-financing"}
            assert out.body["document"]["key"] == doc.key
            refused += 1
    assert accepted and refused, "the storm should both fill and overflow the declaration"
    used = check_invariants(db, doc, accepted, refused)
    asked = {b["external_ref"]: parse_amount(b["amount"], "USD") for _, b in plan}
    assert used == sum(asked[r] for r in accepted)
    # Nothing is left that a refused request could still have had: the balance was used well.
    assert doc.value_minor - used < max(asked.values())
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_process_storm_service_layer(db, db_url):
    firms = make_firms(db, banks=5)
    doc = declaration(db, firms, VALUE)
    plan = storm_bodies(firms, doc, seed=11)
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(len(firms.banks)), ctx.Queue()
    workers = []
    for bank in firms.banks:
        bodies = [body for b, body in plan if b is bank]
        caller = {"principal_id": bank.principal_id, "org_id": bank.org_id, "role": "operator"}
        workers.append(
            ctx.Process(target=service_worker, args=(db_url, caller, bodies, barrier, queue))
        )
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=180) for _ in plan]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    errors = [r for r in results if r[1].startswith("error")]
    assert not errors, errors
    accepted = [ref for ref, outcome in results if outcome == "ok"]
    refused = [o for _, o in results if o in {"over-financing", "duplicate-financing"}]
    assert len(accepted) + len(refused) == len(plan)
    assert accepted and refused
    check_invariants(db, doc, accepted, len(refused))
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


@pytest.mark.slow
def test_several_uvicorn_workers(db, db_url, tmp_path: Path):
    firms = make_firms(db, banks=5)
    doc = declaration(db, firms, VALUE)
    plan = storm_bodies(firms, doc, seed=23)
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    conf = Settings(database_url=db_url, data_dir=data, _env_file=None)  # type: ignore[call-arg]
    keys.ensure_log_key(conf)
    secrets.ensure_platform_secret(conf)
    port = free_port()
    env = os.environ | {
        "CROSSFIN_DATABASE_URL": db_url,
        "CROSSFIN_DATA_DIR": str(data),
        "CROSSFIN_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "crossfin"),
            "serve",
            "--workers",
            "3",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        outcomes = http_storm(base, [(bank.headers, body) for bank, body in plan])
    finally:
        server.terminate()
        server.wait(30)
    accepted = [
        b["external_ref"] for (_, b), o in zip(plan, outcomes, strict=True) if o.status == 201
    ]
    refused = [o for o in outcomes if o.status == 409]
    assert len(accepted) + len(refused) == len(plan), [o.body for o in outcomes]
    assert all(
        o.body["type"].endswith(("/over-financing", "/duplicate-financing")) for o in refused
    )
    check_invariants(db, doc, accepted, len(refused))
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def _wait_ready(base: str, server: subprocess.Popen) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(server.stderr.read().decode() if server.stderr else "exited")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("crossfin serve did not become ready")
