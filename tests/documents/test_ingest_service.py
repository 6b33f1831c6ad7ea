"""Batch submission has one home: every entry point stages and publishes through
`crossfin.documents.ingest.service`, with the same outcome."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.demo import documents as demo_documents
from crossfin.demo.trade import DemoBatch
from crossfin.documents.ingest import service
from crossfin.documents.ingest.models import Batch
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.models import OrgKind, Role
from support.ingest import jsonl, manifest_for, record, register_source_key, submit
from support.parties import make_party
from support.web import add_user, csrf_from, login

KIND = "customs_declaration"
JSONL = {"Content-Type": "application/x-ndjson"}
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every staging and publication the service runs: ("stage", ref) / ("publish", id)."""
    seen: list[tuple[str, Any]] = []
    stage, publish = service.stage_chunk, service.publish_batch

    def staging(uow, caller, ref, chunk):  # type: ignore[no-untyped-def]
        seen.append(("stage", ref))
        return stage(uow, caller, ref, chunk)

    def publishing(uow, batch_id):  # type: ignore[no-untyped-def]
        seen.append(("publish", batch_id))
        return publish(uow, batch_id)

    monkeypatch.setattr(service, "stage_chunk", staging)
    monkeypatch.setattr(service, "publish_batch", publishing)
    return seen


def batch_row(db: Database, ref: str) -> Batch:
    with db.session(readonly=True) as session:
        return session.scalars(select(Batch).where(Batch.ref == ref)).one()


def test_api_stages_and_publishes_through_the_service(client, db, steps) -> None:  # type: ignore[no-untyped-def]
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(5)]
    result = submit(client, customs.headers, KIND, "api-1", rows, signer, chunk=2)
    assert result["status"] == "published" and result["receipt"]["leaf_index"] is not None
    batch = batch_row(db, "api-1")
    assert steps == [("stage", "api-1")] * 3 + [("publish", batch.id)]
    assert batch.leaf_index == result["receipt"]["leaf_index"]


def test_interrupted_publication_is_run_again_by_the_publish_route(
    client,
    db,
    steps,  # type: ignore[no-untyped-def]
    monkeypatch,
) -> None:
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(3)]
    manifest = manifest_for(KIND, "api-2", rows, signer)
    assert client.post("/v1/batches", content=manifest, headers=customs.headers).status_code == 201
    working = service.publish_batch

    def dying(uow, batch_id):  # type: ignore[no-untyped-def]
        working(uow, batch_id)
        raise RuntimeError("the process died before COMMIT")

    monkeypatch.setattr(service, "publish_batch", dying)
    answer = client.post(
        "/v1/batches/api-2/lines?from=0", content=jsonl(rows), headers=customs.headers | JSONL
    )
    assert answer.status_code == 500
    assert batch_row(db, "api-2").status == "complete"  # staged and committed, not published
    monkeypatch.setattr(service, "publish_batch", working)
    again = client.post("/v1/batches/api-2/publish", headers=customs.headers)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "published" and again.json()["accepted"] == 3
    assert again.json()["receipt"]["leaf_index"] == batch_row(db, "api-2").leaf_index
    assert [s for s, _ in steps] == ["stage", "publish", "publish"]  # died, then again


def portal_token(client, db, org_id: int) -> str:  # type: ignore[no-untyped-def]
    name = add_user(db, org_id, Role.OPERATOR)
    assert login(client, name).status_code == 303
    return csrf_from(client.get("/").text)


def test_portal_upload_goes_through_the_service(client, db, steps) -> None:  # type: ignore[no-untyped-def]
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(4)]
    manifest = manifest_for(KIND, "web-1", rows, signer)
    token = portal_token(client, db, customs.org_id)
    done = client.post(
        "/batches",
        data={"csrf_token": token},
        files={
            "manifest": ("m.note", manifest, "text/plain"),
            "records": ("web-1.jsonl", jsonl(rows), "application/x-ndjson"),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:500]
    batch = batch_row(db, "web-1")
    assert (batch.status, batch.accepted) == ("published", 4) and batch.leaf_index is not None
    assert steps == [("stage", "web-1"), ("publish", batch.id)]


def test_portal_completes_a_batch_begun_over_the_api(client, db) -> None:  # type: ignore[no-untyped-def]
    """The portal's file holds the whole batch: lines already received are checked and
    skipped, the rest staged from where the batch stands."""
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(5)]
    manifest = manifest_for(KIND, "web-2", rows, signer)
    client.post("/v1/batches", content=manifest, headers=customs.headers)
    begun = client.post(
        "/v1/batches/web-2/lines?from=0", content=jsonl(rows[:2]), headers=customs.headers | JSONL
    )
    assert begun.json()["next_line"] == 2
    token = portal_token(client, db, customs.org_id)
    done = client.post(
        "/batches",
        data={"csrf_token": token},
        files={
            "manifest": ("m.note", manifest, "text/plain"),
            "records": ("web-2.jsonl", jsonl(rows), "application/x-ndjson"),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:500]
    batch = batch_row(db, "web-2")
    assert (batch.status, batch.accepted, batch.next_line) == ("published", 5, 5)


def test_portal_shows_a_root_mismatch_like_the_api(client, db) -> None:  # type: ignore[no-untyped-def]
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(2)]
    manifest = manifest_for(KIND, "web-3", rows, signer)
    token = portal_token(client, db, customs.org_id)
    altered = jsonl([rows[0], rows[1] | {"total_value": "1.00"}])
    page = client.post(
        "/batches",
        data={"csrf_token": token},
        files={
            "manifest": ("m.note", manifest, "text/plain"),
            "records": ("web-3.jsonl", altered, "application/x-ndjson"),
        },
    )
    assert page.status_code == 422 and "root mismatch" in page.text
    assert batch_row(db, "web-3").status == "refused"


def test_demo_publishes_through_the_service_in_its_own_transaction(
    db,
    steps,  # type: ignore[no-untyped-def]
    tmp_path,
) -> None:
    customs = make_party(db, OrgKind.CUSTOMS)
    caller = Caller(customs.principal_id, "feed", Role.ADMIN, customs.org_id, OrgKind.CUSTOMS, None)
    signer = demo_documents.source_signer(tmp_path, "customs")
    demo = DemoBatch("customs", KIND, tuple(record(KIND) for _ in range(3)))
    with UnitOfWork(db, caller.actor) as uow:
        assert demo_documents._ensure_key(uow, caller, signer)
        published = demo_documents._publish(uow, caller, signer, demo)
        assert published is not None and published.accepted == 3
        uow.commit()
    batch = batch_row(db, demo.ref)
    assert (batch.status, batch.mode) == ("published", "atomic")
    assert batch.leaf_index is not None  # the row names the leaf of its publication event
    assert steps == [("stage", demo.ref), ("publish", batch.id)]
    with UnitOfWork(db, caller.actor) as uow:  # a second load skips it
        assert demo_documents._publish(uow, caller, signer, demo) is None


def test_benchmark_ingests_through_the_service(db, steps) -> None:  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCHMARKS))
    try:
        bench = importlib.import_module("documents_ingest")
    finally:
        sys.path.remove(str(BENCHMARKS))
    caller, signer = bench.make_source(db)
    bench.ingest(db, caller, signer, 12, 5, salt=3)  # asserts publication itself
    batch = batch_row(db, "bench-3")
    assert steps == [("stage", "bench-3")] * 3 + [("publish", batch.id)]
    assert (batch.status, batch.accepted) == ("published", 12)
