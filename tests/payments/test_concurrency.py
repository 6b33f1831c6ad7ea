"""Promise 1 for payments under real concurrency: banks race to tag the same invoices.

On SQLite and PostgreSQL (CROSSFIN_TEST_DATABASE_URL): 5 banks through a live uvicorn
(threads), single payments and template uploads mixed, and 5 processes on the service
layer. Each invoice is tagged exactly once; every other try is a 409 (or a refused row);
nothing answers 5xx; the balance equals the active uses.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter

import httpx
from sqlalchemy import func, select

from crossfin.documents.models import DocumentBalance
from crossfin.payments.models import Payment, PaymentUse
from support.documents import use_balance
from support.financing_storm import http_storm, live_server
from support.payments import (
    caller_of,
    freight_invoice,
    make_forwarders,
    payment_body,
    storm_worker,
    submit,
)
from support.stats import assert_stats_match_recount


def check_tagged_once(db, docs) -> None:  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        for doc in docs:
            balance = session.get(DocumentBalance, doc.id)
            active = session.scalar(
                select(func.count()).where(
                    PaymentUse.document_id == doc.id, PaymentUse.active.is_(True)
                )
            )
            assert active == 1, doc.key
            assert balance is not None and balance.used_minor == doc.value_minor


def test_http_storm_five_banks_same_invoices(app, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=5)
    docs = [freight_invoice(db, fw) for _ in range(6)]
    plan = [
        (bank.headers, payment_body(fw, [doc], ref=f"S-{i}-{j}"))
        for i, bank in enumerate(fw.banks)
        for j, doc in enumerate(docs)
    ]
    with live_server(app) as base:
        outcomes = http_storm(base, plan, path="/v1/payments")
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {201: len(docs), 409: len(plan) - len(docs)}, statuses
    for out in outcomes:
        if out.status == 409:
            assert out.body["type"].endswith("/already-used")
            named = {"type", "title", "status", "detail", "document", "documents"}
            assert set(out.body) == named | {"instance", "request_id"}
    check_tagged_once(db, docs)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_uploads_race_single_payments(app, db):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=5)
    docs = [freight_invoice(db, fw) for _ in range(20)]
    header = "external_ref,payer_uscc,payee_name,payee_country,payee_account,amount,currency,"
    header += "fx_rate,invoice_no,invoice_amount,invoice_tax_amount\n"

    def template(bank: int) -> bytes:
        lines = [
            f"U{bank}-{j},{fw.uscc},Maersk A/S,DK,DK5000400440116243,1000.00,USD,7.10,"
            f"{d.key},8000.00,480.00\n"
            for j, d in enumerate(docs)
        ]
        return (header + "".join(lines)).encode()

    results: list[httpx.Response | None] = [None] * 5
    barrier = threading.Barrier(5)

    def run(i: int, base: str) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            barrier.wait()
            if i < 3:
                results[i] = client.post(
                    "/v1/payments/uploads?format=csv",
                    content=template(i),
                    headers=fw.banks[i].headers,
                )
            else:
                for j, doc in enumerate(docs):
                    body = payment_body(fw, [doc], ref=f"P{i}-{j}")
                    results[i] = client.post("/v1/payments", json=body, headers=fw.banks[i].headers)
                    assert results[i].status_code in (201, 409), results[i].text

    with live_server(app) as base:
        threads = [threading.Thread(target=run, args=(i, base)) for i in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    for res in results[:3]:
        assert res is not None and res.status_code == 200, res
        rows = res.json()["results"]
        assert {r["outcome"] for r in rows} <= {"submitted", "refused"}
        assert all(r["problem"] in (None, "already-used") for r in rows)
    check_tagged_once(db, docs)
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == len(docs)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_process_storm_service_layer(db, db_url):  # type: ignore[no-untyped-def]
    fw = make_forwarders(db, banks=5)
    docs = [freight_invoice(db, fw) for _ in range(8)]
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(5), ctx.Queue()
    workers = []
    for i, bank in enumerate(fw.banks):
        caller = caller_of(db, bank)
        bodies = [payment_body(fw, [d], ref=f"W{i}-{j}") for j, d in enumerate(docs)]
        fields = {"principal_id": caller.principal_id, "org_id": caller.org_id}
        workers.append(
            ctx.Process(target=storm_worker, args=(db_url, fields, bodies, barrier, queue))
        )
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=180) for _ in range(5 * len(docs))]
    for worker in workers:
        worker.join(60)
    assert Counter(results) == {"ok": len(docs), "already-used": 4 * len(docs)}, results
    check_tagged_once(db, docs)
    assert_stats_match_recount(db)  # the cells equal a recount after the storm


def test_a_balance_another_use_holds_refuses_the_tag(db):  # type: ignore[no-untyped-def]
    """A financing's (or any other scenario's) use of the invoice counts: P3 takes the
    whole amount, so any use of it leaves nothing for the tag."""
    fw = make_forwarders(db, banks=1)
    doc = freight_invoice(db, fw)
    use_balance(db, doc.id, 1, uses=0)
    [out] = submit(db, fw.banks[0], payment_body(fw, [doc]))
    assert out.slug == "already-used"
