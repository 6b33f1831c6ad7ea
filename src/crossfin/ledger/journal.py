"""Building event records: canonical JSON, salted, hashed as RFC 6962 leaves."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crossfin.core.canonical import canonical_json, content_digest, utc_text
from crossfin.core.clock import utcnow
from crossfin.ledger.events import EventType
from crossfin.ledger.rfc6962 import leaf_hash

if TYPE_CHECKING:
    from crossfin.core.db import Actor

RECORD_VERSION = 1


@dataclass
class Receipt:
    """What a state-changing response carries: the event, its leaf hash and index."""

    event_id: str
    leaf_hash: str
    leaf_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "leaf_hash": self.leaf_hash,
            "leaf_index": self.leaf_index,
        }


@dataclass
class PendingEvent:
    """An event queued in a unit of work, waiting for its leaf index at commit."""

    event_id: str
    event_type: EventType
    record: bytes
    leaf: bytes
    actor_org_id: int | None
    parties: frozenset[int]
    receipt: Receipt = field(init=False)

    def __post_init__(self) -> None:
        self.receipt = Receipt(self.event_id, self.leaf.hex())


def build_record(
    event_id: str,
    event_type: EventType,
    actor: Actor,
    subjects: dict[str, Any],
    content: Any,
    salt: bytes,
    state: Mapping[str, str | None] | None = None,
    state_tree: Mapping[str, Any] | None = None,
) -> bytes:
    """The canonical record: what the leaf hash commits to.

    `state` and `state_tree` (docs/ledger.md, "State commitments") appear only when given,
    so records of events that change no business row keep their old form.
    """
    record: dict[str, Any] = {
        "v": RECORD_VERSION,
        "id": event_id,
        "type": event_type.value,
        "time": utc_text(utcnow()),
        "actor": {"org": actor.org_id, "principal": actor.principal_id, "label": actor.label},
        "subjects": subjects,
        "digest": content_digest(content),
        "salt": salt.hex(),
    }
    if state:
        record["state"] = dict(state)
    if state_tree:
        record["state_tree"] = dict(state_tree)
    return canonical_json(record)


def uuid4_text(random16: bytes) -> str:
    """The RFC 9562 version-4 UUID made of 16 random bytes, as `str(uuid.UUID(...))` writes it.

    Twice as fast as `str(uuid.uuid4())`, which builds a 128-bit integer and a UUID object.
    """
    h = random16.hex()
    variant = "89ab"[int(h[16], 16) & 3]  # the two top bits of byte 8 become 10
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def new_event(
    event_type: EventType,
    actor: Actor,
    subjects: dict[str, Any],
    content: Any,
    parties: set[int] | frozenset[int],
    state: Mapping[str, str | None] | None = None,
    state_tree: Mapping[str, Any] | None = None,
) -> PendingEvent:
    """Make a pending event; `parties` are the organizations entitled to read the record."""
    # One call to the OS for both: 16 random bytes for the event id, and 16 more for the
    # salt, which makes the leaf hash unguessable even when the content is guessable.
    random = os.urandom(32)
    event_id = uuid4_text(random[:16])
    record = build_record(
        event_id, event_type, actor, subjects, content, random[16:], state, state_tree
    )
    named = frozenset(parties) if actor.org_id is None else frozenset((*parties, actor.org_id))
    return PendingEvent(event_id, event_type, record, leaf_hash(record), actor.org_id, named)
