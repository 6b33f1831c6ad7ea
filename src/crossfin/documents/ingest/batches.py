"""Signed batches: register the manifest, then stage lines (validated, not yet visible).

Staging never touches the ledger: lines are parsed, digested and validated before the
transaction starts, and the transaction only appends rows and the digest tree's right
edge. When the last line is in, the root is compared with the signed one; a mismatch
refuses the batch whole and discards what was staged. Publication is `publish`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crossfin.core.canonical import jcs
from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, NotFound, ValidationFailed, invalid
from crossfin.documents import records
from crossfin.documents.errors import (
    BadSignature,
    BatchClosed,
    KindNotAllowed,
    LineConflict,
    LineGap,
    ManifestInvalid,
    RecordUnreadable,
    RootMismatch,
    UnknownSourceKey,
)
from crossfin.documents.ingest.bulk import insert_tuples, table_of
from crossfin.documents.ingest.models import Batch, BatchLine
from crossfin.documents.ingest.sources import active_verifiers, require_source
from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.kinds.registry import get_kind
from crossfin.ledger.note import (
    InvalidSignatureError,
    NoteError,
    ParsedNote,
    Verifier,
    open_note,
    parse_note,
)
from crossfin.ledger.proofs import append_to_edge
from crossfin.ledger.rfc6962 import fold_subtrees, leaf_hash
from crossfin.ledger.sequencer import split_edge
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_role
from crossfin.parties.models import Role

MODES = ("partial", "atomic")
SUBMITTING_ROLES = (Role.ADMIN, Role.OPERATOR)
TERMINAL = ("published", "rejected", "refused")


def register_batch(
    uow: UnitOfWork, caller: Caller, manifest: str, mode: str = "partial"
) -> tuple[Batch, bool]:
    """Verify a signed manifest and open its batch; (batch, created). Same manifest: no-op."""
    require_source(caller)
    require_role(caller, *SUBMITTING_ROLES)
    if mode not in MODES:
        raise invalid("mode", "must be partial or atomic")
    existing = find_batch(uow.session, caller.org_id, _read_manifest(manifest)[1].ref)
    if existing is not None:
        # Checked when it was registered: a resumed upload must not fail on a key
        # retired since.
        if existing.manifest == manifest and existing.mode == mode:
            return existing, False
        raise AlreadyExists(f"batch {existing.ref} exists with another manifest or mode")
    body, key_row_id = _verify_manifest(uow.session, caller, manifest)
    spec = get_kind(body.kind)
    if spec.source is not caller.org_kind:
        raise KindNotAllowed(f"{caller.org_kind.value} organizations do not submit {spec.name}")
    now = utcnow()
    batch = Batch(
        source_org_id=caller.org_id,
        ref=body.ref,
        kind=spec.name,
        count=body.count,
        root=body.root,
        manifest=manifest,
        source_key_id=key_row_id,
        mode=mode,
        status="receiving",
        next_line=0,
        edge=b"",
        accepted=0,
        duplicates=0,
        rejected=0,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(batch)
    uow.session.flush()
    return batch, True


def _verify_manifest(
    session: Session, caller: Caller, manifest: str
) -> tuple[records.Manifest, int]:
    """The manifest body, and the id of the registered key whose signature verified."""
    parsed, body = _read_manifest(manifest)
    keys = active_verifiers(session, caller.org_id)
    verifiers = [Verifier(k.name, k.key_id, k.public_key) for k in keys.values()]
    try:
        _, names = open_note(manifest, verifiers)
    except InvalidSignatureError as exc:
        raise BadSignature(str(exc)) from None
    except NoteError as exc:
        raise UnknownSourceKey(str(exc)) from None
    signer = next(s for s in parsed.signatures if s.name == names[0])
    return body, keys[(signer.name, signer.key_id)].id


def _read_manifest(manifest: str) -> tuple[ParsedNote, records.Manifest]:
    """Parse the signed note and its five-line text, without verifying anything."""
    try:
        parsed = parse_note(manifest)
        return parsed, records.parse_manifest_text(parsed.text)
    except (NoteError, ValueError) as exc:
        raise ManifestInvalid(str(exc)) from None


def find_batch(session: Session, org_id: int, ref: str, *, lock: bool = False) -> Batch | None:
    query = select(Batch).where(Batch.source_org_id == org_id, Batch.ref == ref)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def get_batch(session: Session, caller: Caller, ref: str, *, lock: bool = False) -> Batch:
    """The caller's organization's batch `ref`; 404 for anyone else's."""
    batch = find_batch(session, caller.org_id, ref, lock=lock)
    if batch is None:
        raise NotFound(f"no batch {ref}")
    return batch


# The columns of a staged line, in the order of a prepared row (after the batch's id).
_LINE_COLUMNS = (
    "batch_id",
    "line",
    "digest",
    "record",
    "outcome",
    "errors",
    "key",
    "content",
    "owner_uscc",
    "value_minor",
    "currency",
)
_LINE, _DIGEST = 0, 1  # positions in a prepared row


@dataclass
class PreparedChunk:
    """Lines parsed, digested and validated outside any transaction.

    `rows`: one tuple per line, the values of `_LINE_COLUMNS` after `batch_id` (tuples
    rather than dicts: cheaper to build and to insert, a million times a batch).
    """

    start: int
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + len(self.rows)


def prepare_chunk(spec: KindSpec, start: int, body: str, csv_format: bool) -> PreparedChunk:
    """Parse a chunk of JSON Lines or CSV, digest each record as sent, and validate it."""
    chunk = PreparedChunk(start)
    try:
        for offset, sent in enumerate(_records(body, csv_format)):
            typed = spec.from_csv_row(sent) if csv_format else sent
            chunk.rows.append(_line_row(spec, start + offset, sent, typed))
    except records.RecordError as exc:
        line = start + exc.line if exc.line >= 0 else start + len(chunk.rows)
        raise RecordUnreadable(f"line {line}: {exc.reason}", line=line) from None
    return chunk


def _records(body: str, csv_format: bool) -> Iterator[Mapping[str, Any]]:
    """CSV rows (cell text) or JSON records, as sent."""
    return records.iter_csv(body) if csv_format else records.iter_jsonl(body)


def _line_row(
    spec: KindSpec, line: int, sent: Mapping[str, Any], typed: Mapping[str, Any]
) -> tuple[Any, ...]:
    try:
        raw = jcs(sent)
    except ValueError as exc:
        raise records.RecordError(-1, str(exc)) from None
    digest, record = hashlib.sha256(raw).digest(), raw.decode("utf-8")
    try:
        content = spec.validate(typed)
    except ValidationFailed as exc:
        errors = json.dumps(
            [{"field": e.field, "reason": e.reason} for e in exc.errors], ensure_ascii=False
        )
        return (line, digest, record, "rejected", errors, None, None, None, None, None)
    minor, currency = spec.value_of(content)
    key, owner = spec.key_of(content), spec.owner_uscc_of(content)
    normal = jcs(content).decode("utf-8")
    return (line, digest, record, "valid", None, key, normal, owner, minor, currency)


def stage_chunk(uow: UnitOfWork, caller: Caller, ref: str, chunk: PreparedChunk) -> Batch:
    """Append a prepared chunk; resent lines must equal what was received (idempotent)."""
    batch = get_batch(uow.session, caller, ref, lock=True)
    require_role(caller, *SUBMITTING_ROLES)  # those who register a batch send its lines
    if chunk.start > batch.next_line:
        raise LineGap(
            f"the next line is {batch.next_line}, got from={chunk.start}", next_line=batch.next_line
        )
    if chunk.end > batch.count:
        raise invalid("from", f"the batch has {batch.count} lines; this chunk ends at {chunk.end}")
    _check_resent(uow.session, batch, chunk)
    fresh = [r for r in chunk.rows if r[_LINE] >= batch.next_line]
    if not fresh:
        return batch
    if batch.status != "receiving":
        raise BatchClosed(f"batch {ref} is {batch.status}")
    batch_id = (batch.id,)
    insert_tuples(
        uow.session.connection(),
        table_of(BatchLine),
        _LINE_COLUMNS,
        [batch_id + r for r in fresh],
    )
    grown = append_to_edge(
        split_edge(batch.edge), (leaf_hash(r[_DIGEST]) for r in fresh), batch.next_line
    )
    batch.edge, batch.next_line = b"".join(grown.right_edge), grown.size
    batch.updated_at = utcnow()
    if batch.next_line == batch.count:
        _close(uow.session, batch)
    return batch


def _check_resent(session: Session, batch: Batch, chunk: PreparedChunk) -> None:
    overlap_end = min(chunk.end, batch.next_line)
    if chunk.start >= overlap_end:
        return
    query = select(BatchLine.line, BatchLine.digest).where(
        BatchLine.batch_id == batch.id, BatchLine.line >= chunk.start, BatchLine.line < overlap_end
    )
    stored = dict(session.execute(query).all())
    for row in chunk.rows[: overlap_end - chunk.start]:
        line, digest = row[_LINE], row[_DIGEST]
        if stored.get(line, digest) != digest:
            raise LineConflict(f"line {line} differs from the line received before", line=line)


def _close(session: Session, batch: Batch) -> None:
    """All lines are in: compare roots; a mismatch refuses the batch and discards lines."""
    computed = fold_subtrees(split_edge(batch.edge))
    if computed == batch.root:
        batch.status = "complete"
        return
    batch.status = "refused"
    batch.reason = (
        f"root mismatch: the manifest signs {batch.root.hex()}, the lines rebuild {computed.hex()}"
    )
    session.execute(delete(BatchLine).where(BatchLine.batch_id == batch.id))


def refusal(batch: Batch) -> RootMismatch | None:
    """The error to answer for a batch refused on its root, if it was."""
    if batch.status == "refused":
        return RootMismatch(batch.reason)
    return None


def batch_view(batch: Batch) -> dict[str, object]:
    """What `GET /v1/batches/{id}` answers."""
    return {
        "id": batch.ref,
        "kind": batch.kind,
        "count": batch.count,
        "mode": batch.mode,
        "status": batch.status,
        "next_line": batch.next_line,
        "root": base64.b64encode(batch.root).decode(),
        "accepted": batch.accepted,
        "duplicates": batch.duplicates,
        "rejected": batch.rejected,
        "reason": batch.reason,
        "created_at": batch.created_at,
        "published_at": batch.published_at,
        "event": (
            {"event_id": batch.event_id, "leaf_index": batch.leaf_index} if batch.event_id else None
        ),
    }
