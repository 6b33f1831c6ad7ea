"""A process killed mid-publication leaves nothing published; publication then completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy import func, select

from crossfin.documents.ingest.models import Batch
from crossfin.documents.models import Document
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.models import OrgKind
from support.ingest import jsonl, manifest_for, record, register_source_key
from support.parties import make_party

KIND = "customs_declaration"
# Publishes everything (bulk inserts, ledger event sequenced) and then waits to be killed
# before COMMIT: the worst moment to die.
_PUBLISHER = """
import sys, time
from crossfin.core.db import Actor, Database
from crossfin.ledger.uow import UnitOfWork
from crossfin.documents.ingest.publish import publish_batch
db = Database(sys.argv[1])
with UnitOfWork(db, Actor(None, None, "crash-test")) as uow:
    batch, receipt = publish_batch(uow, int(sys.argv[2]))
    uow.sequence()
    print("ready", batch.status, flush=True)
    time.sleep(120)
"""


def _counts(db):  # type: ignore[no-untyped-def]
    with db.session(readonly=True) as session:
        docs = session.scalar(select(func.count()).select_from(Document))
        events = session.scalar(select(func.count()).select_from(LedgerEvent))
        batch = session.scalars(select(Batch)).one()
        return docs, events, batch.status


def test_killed_publication_leaves_nothing_and_resumes(client, db, db_url) -> None:  # type: ignore[no-untyped-def]
    customs = make_party(db, OrgKind.CUSTOMS)
    signer = register_source_key(client, customs.headers)
    rows = [record(KIND) for _ in range(300)]
    manifest = manifest_for(KIND, "crash-1", rows, signer)
    client.post("/v1/batches", content=manifest, headers=customs.headers)
    # Stage every line but the last, then the last one in the database only, so that no
    # request publishes: the subprocess does, and dies.
    client.post(
        "/v1/batches/crash-1/lines?from=0",
        content=jsonl(rows[:299]),
        headers=customs.headers | {"Content-Type": "application/x-ndjson"},
    )
    from crossfin.documents.ingest import batches
    from crossfin.documents.kinds.registry import get_kind
    from crossfin.ledger.uow import UnitOfWork
    from crossfin.parties.access import Caller
    from crossfin.parties.models import Role

    caller = Caller(customs.principal_id, "svc", Role.ADMIN, customs.org_id, OrgKind.CUSTOMS, None)
    chunk = batches.prepare_chunk(get_kind(KIND), 299, jsonl(rows[299:]), False)
    with UnitOfWork(db, caller.actor) as uow:
        assert batches.stage_chunk(uow, caller, "crash-1", chunk).status == "complete"
        uow.commit()
    docs_before, events_before, _ = _counts(db)
    with db.session(readonly=True) as session:
        batch_id = session.scalars(select(Batch.id)).one()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.Popen(
        [sys.executable, "-c", _PUBLISHER, db_url, str(batch_id)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split() == ["ready", "published"]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert _counts(db) == (docs_before, events_before, "complete")
    # The client asks what is next (nothing: all lines are in) and publishes again.
    status = client.get("/v1/batches/crash-1", headers=customs.headers).json()
    assert status["next_line"] == 300 and status["status"] == "complete"
    answer = client.post("/v1/batches/crash-1/publish", headers=customs.headers)
    assert answer.status_code == 200 and answer.json()["accepted"] == 300
    assert _counts(db) == (docs_before + 300, events_before + 1, "published")
    again = client.post("/v1/batches/crash-1/publish", headers=customs.headers).json()
    assert again["status"] == "published" and "receipt" not in again
