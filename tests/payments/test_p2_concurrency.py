"""P2 under real concurrency: banks race partial payments on the same tax filings.

On SQLite and PostgreSQL (CROSSFIN_TEST_DATABASE_URL): 5 banks through a live uvicorn
(threads) and 5 processes on the service layer. The filing's active uses never exceed its
contract amount; every refusal is a 409 `/filing-exhausted`; nothing answers 5xx.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter

from sqlalchemy import func, select

from crossfin.documents.models import DocumentBalance
from crossfin.parties.alerts import Alert
from crossfin.payments.models import PaymentUse
from support.financing_storm import http_storm, live_server
from support.payments import caller_of, make_forwarders, p2_body, storm_worker, tax_filing
from support.stats import assert_stats_match_recount


def check_within(db, filing, paid: int) -> None:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        balance = session.get(DocumentBalance, filing.id)
        used = session.scalar(
            select(func.coalesce(func.sum(PaymentUse.used_minor), 0)).where(
                PaymentUse.document_id == filing.id, PaymentUse.active.is_(True)
            )
        )
    assert balance is not None and balance.used_minor == used == paid
    assert paid <= filing.value_minor


def test_http_storm_five_banks_one_filing(app, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=5)
    filing = tax_filing(db, fw, "100000.00")
    # 15 payments of USD 15,000 on USD 100,000: exactly 6 fit, whatever the order.
    plan = [
        (bank.headers, p2_body(fw, filing, "15000.00", ref=f"S-{i}-{j}"))
        for i, bank in enumerate(fw.banks)
        for j in range(3)
    ]
    with live_server(app) as base:
        outcomes = http_storm(base, plan, path="/v1/payments")
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {201: 6, 409: len(plan) - 6}, statuses
    for out in outcomes:
        if out.status == 409:
            assert out.body["type"].endswith("/filing-exhausted")
            assert out.body["remaining"] == "10000.00"
    check_within(db, filing, 9_000_000)
    with db.session(readonly=True) as session:
        kinds = session.scalars(select(Alert.kind)).all()
    assert kinds.count("filing-overpayment") == len(plan) - 6
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_process_storm_service_layer(db, db_url):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=5)
    filings = [tax_filing(db, fw, "50000.00") for _ in range(2)]
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(5), ctx.Queue()
    workers = []
    for i, bank in enumerate(fw.banks):
        caller = caller_of(db, bank)
        bodies = [
            p2_body(fw, f, "12000.00", ref=f"W{i}-{j}-{k}")
            for j, f in enumerate(filings)
            for k in range(2)
        ]
        fields = {"principal_id": caller.principal_id, "org_id": caller.org_id}
        workers.append(
            ctx.Process(target=storm_worker, args=(db_url, fields, bodies, barrier, queue))
        )
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=180) for _ in range(5 * 4)]
    for worker in workers:
        worker.join(60)
    # Each filing of 50,000 carries 4 payments of 12,000: 8 fit, 12 are refused.
    assert Counter(results) == {"ok": 8, "filing-exhausted": 12}, results
    for filing in filings:
        check_within(db, filing, 4_800_000)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm
