"""Building event records the fast way changes nothing a record promises."""

from __future__ import annotations

import json
import re
import uuid

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from crossfin.core.canonical import content_digest
from crossfin.core.db import Actor
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import new_event, uuid4_text
from crossfin.ledger.rfc6962 import leaf_hash

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@given(st.binary(min_size=16, max_size=16))
@settings(max_examples=2000)
def test_uuid4_text_is_what_the_uuid_module_writes(random16: bytes) -> None:
    assert uuid4_text(random16) == str(uuid.UUID(bytes=random16, version=4))


def test_event_ids_are_random_version_4_uuids() -> None:
    events = [new_event(EventType.ORG_ADDED, Actor(1, 2), {}, {}, set()) for _ in range(200)]
    ids = [uuid.UUID(e.event_id) for e in events]
    assert all(i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)
    assert [str(i) for i in ids] == [e.event_id for e in events]
    assert len(set(ids)) == len(ids)


def test_record_holds_its_fields_in_canonical_form() -> None:
    actor = Actor(7, 12, "svc-3")
    content = {"name": "Org 73", "amount": "12.50"}
    event = new_event(EventType.ORG_ADDED, actor, {"org": 73}, content, {9})
    record = json.loads(event.record)
    assert rfc8785.dumps(record) == event.record
    assert set(record) == {"v", "id", "type", "time", "actor", "subjects", "digest", "salt"}
    assert (record["v"], record["id"], record["type"]) == (1, event.event_id, "parties:org:add")
    assert record["actor"] == {"org": 7, "principal": 12, "label": "svc-3"}
    assert record["subjects"] == {"org": 73}
    assert record["digest"] == content_digest(content)
    assert TIME.fullmatch(record["time"])
    assert event.leaf == leaf_hash(event.record)
    assert event.receipt.leaf_hash == event.leaf.hex() and event.receipt.leaf_index is None
    assert event.parties == frozenset({7, 9}) and event.actor_org_id == 7


def test_salts_are_16_fresh_random_bytes_apart_from_the_id() -> None:
    events = [new_event(EventType.ORG_ADDED, Actor(None, None), {}, {}, set()) for _ in range(200)]
    salts = [json.loads(e.record)["salt"] for e in events]
    assert all(re.fullmatch(r"[0-9a-f]{32}", s) for s in salts)
    assert len(set(salts)) == len(salts)
    # The id's random bits and the salt come from different bytes.
    assert all(s[:8] != e.event_id[:8] for s, e in zip(salts, events, strict=True))
    assert all(e.parties == frozenset() for e in events)
