"""What-if prototypes for the append benchmark: NOT shipped code, only measured against it.

`--prototypes` in ledger_append.py swaps these in to show what the two hot spots of the
shipped path would give if rewritten (docs/ledger.md discusses them):
  * a sequencer issuing SQLAlchemy Core statements instead of ORM bulk inserts, and one
    issuing plain driver SQL (no compilation, no per-row type processing);
  * canonical JSON through `json.dumps` (sorted keys, compact separators, UTF-8), which is
    byte-identical to RFC 8785 for the values `jcs_value` produces (strings, safe integers,
    booleans, null, arrays, objects) except for object keys outside the Basic Multilingual
    Plane, where JCS orders by UTF-16 code units; shipping it needs the property test
    against the `rfc8785` package that issue 3 asks for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core import canonical
from crossfin.core.clock import utcnow
from crossfin.ledger import journal, sequencer
from crossfin.ledger.journal import PendingEvent
from crossfin.ledger.models import LedgerEvent, LedgerEventParty, LogHead, TreeHash
from crossfin.ledger.proofs import append_to_edge

_EVENTS, _PARTIES = LedgerEvent.__table__, LedgerEventParty.__table__
_HASHES, _HEAD = TreeHash.__table__, LogHead.__table__
_LOCK = (select(_HEAD.c.size, _HEAD.c.edge).where(_HEAD.c.id == sequencer.HEAD_ID)
         .with_for_update())


def core_sequence(session: Session, events: Sequence[PendingEvent]) -> None:
    """The shipped sequencer's work, as Core statements on the session's connection."""
    conn = session.connection()
    size, edge = conn.execute(_LOCK).one()
    result = append_to_edge(sequencer.split_edge(edge), (e.leaf for e in events), size)
    now = utcnow()
    leaf_rows: list[dict[str, Any]] = []
    party_rows: list[dict[str, Any]] = []
    for offset, event in enumerate(events):
        event.receipt.leaf_index = size + offset
        leaf_rows.append({"leaf_index": size + offset, "event_id": event.event_id,
                          "type": event.event_type.value, "record": event.record,
                          "leaf_hash": event.leaf, "actor_org_id": event.actor_org_id,
                          "created_at": now})
        party_rows.extend({"leaf_index": size + offset, "org_id": o} for o in event.parties)
    conn.execute(_EVENTS.insert(), leaf_rows)
    if party_rows:
        conn.execute(_PARTIES.insert(), party_rows)
    conn.execute(_HASHES.insert(), [{"level": lvl, "idx": n, "hash": h}
                                    for (lvl, n), h in result.hashes])
    conn.execute(_HEAD.update().where(_HEAD.c.id == sequencer.HEAD_ID).values(
        size=result.size, root=result.root, edge=b"".join(result.right_edge), updated_at=now))


def driver_sequence(session: Session, events: Sequence[PendingEvent]) -> None:
    """The same work as plain driver SQL: no statement compilation, no type processing."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    m = "?" if sqlite else "%s"
    lock = "" if sqlite else " FOR UPDATE"  # SQLite: BEGIN IMMEDIATE holds the write lock
    size, edge = conn.exec_driver_sql(
        f"SELECT size, edge FROM ledger_head WHERE id = {sequencer.HEAD_ID}{lock}").one()
    result = append_to_edge(sequencer.split_edge(bytes(edge)), (e.leaf for e in events), size)
    now = utcnow() if not sqlite else utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    leaf_rows, party_rows = [], []
    for offset, event in enumerate(events):
        event.receipt.leaf_index = size + offset
        leaf_rows.append((size + offset, event.event_id, event.event_type.value, event.record,
                          event.leaf, event.actor_org_id, now))
        party_rows.extend((size + offset, org) for org in event.parties)
    conn.exec_driver_sql("INSERT INTO ledger_events (leaf_index, event_id, type, record, "
                         f"leaf_hash, actor_org_id, created_at) VALUES ({', '.join([m] * 7)})",
                         leaf_rows)
    if party_rows:
        conn.exec_driver_sql(
            f"INSERT INTO ledger_event_parties (leaf_index, org_id) VALUES ({m}, {m})",
            party_rows)
    conn.exec_driver_sql(f"INSERT INTO ledger_hashes (level, idx, hash) VALUES ({m}, {m}, {m})",
                         [(lvl, n, h) for (lvl, n), h in result.hashes])
    conn.exec_driver_sql(
        f"UPDATE ledger_head SET size = {m}, root = {m}, edge = {m}, updated_at = {m} "
        f"WHERE id = {sequencer.HEAD_ID}",
        (result.size, result.root, b"".join(result.right_edge), now))


def json_canonical(obj: Any) -> bytes:
    """RFC 8785 for the value subset jcs_value emits (see the module docstring)."""
    return json.dumps(canonical.jcs_value(obj), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


@contextmanager
def prototypes(*, sequence: str | None, canonical_json: bool) -> Iterator[None]:
    """Swap the prototypes in (sequence: "core" or "driver") for one measurement."""
    saved = (sequencer.sequence, journal.canonical_json, canonical.canonical_json)
    try:
        if sequence:
            # uow.sequence() imports the function at call time, so this takes effect.
            sequencer.sequence = core_sequence if sequence == "core" else driver_sequence
        if canonical_json:
            journal.canonical_json = json_canonical
            canonical.canonical_json = json_canonical
        yield
    finally:
        sequencer.sequence, journal.canonical_json, canonical.canonical_json = saved
