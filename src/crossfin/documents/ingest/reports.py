"""Outcome reports of a batch, streamed page by page (a batch may have a million lines)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from crossfin.core.db import Database
from crossfin.documents.ingest.batches import batch_view, get_batch
from crossfin.documents.ingest.models import Batch, BatchLine
from crossfin.parties.access import Caller

PAGE = 5000
CSV_HEADER = ("line", "outcome", "key", "field", "reason")


def batch_id_for(db: Database, caller: Caller, ref: str) -> int:
    """The id of the caller's batch `ref` (404 otherwise), checked before streaming."""
    with db.session(readonly=True) as session:
        return get_batch(session, caller, ref).id


def _lines(db: Database, batch_id: int, all_lines: bool) -> Iterator[dict[str, Any]]:
    """Lines in order: every line, or those not accepted (what a clerk must look at)."""
    last = -1
    while True:
        with db.session(readonly=True) as session:
            query = select(
                BatchLine.line, BatchLine.outcome, BatchLine.key, BatchLine.errors
            ).where(BatchLine.batch_id == batch_id, BatchLine.line > last)
            if not all_lines:
                query = query.where(BatchLine.outcome.in_(("rejected", "duplicate")))
            page = session.execute(query.order_by(BatchLine.line).limit(PAGE)).all()
        if not page:
            return
        for line, outcome, key, errors in page:
            yield {
                "line": line,
                "outcome": outcome,
                "key": key,
                "errors": json.loads(errors) if errors else [],
            }
        last = page[-1].line


def _summary(db: Database, batch_id: int) -> dict[str, Any]:
    with db.session(readonly=True) as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch_view(batch)


def json_report(db: Database, batch_id: int, all_lines: bool) -> Iterator[bytes]:
    """{batch summary..., "lines": [...]}, written as it is read."""
    head = json.dumps(_summary(db, batch_id), default=str, ensure_ascii=False)
    yield (head[:-1] + ', "lines": [').encode()
    first = True
    for item in _lines(db, batch_id, all_lines):
        yield (("" if first else ",") + json.dumps(item, ensure_ascii=False)).encode()
        first = False
    yield b"]}"


def csv_report(db: Database, batch_id: int, all_lines: bool) -> Iterator[bytes]:
    """line,outcome,key,field,reason: one row per error (one row for a clean line)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    summary = _summary(db, batch_id)
    if summary["status"] == "refused":
        writer.writerow(("", "refused", "", "root", summary["reason"]))
    for item in _lines(db, batch_id, all_lines):
        for error in item["errors"] or [{"field": "", "reason": ""}]:
            writer.writerow(
                (item["line"], item["outcome"], item["key"] or "", error["field"], error["reason"])
            )
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
