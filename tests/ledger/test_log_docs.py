"""docs/ledger.md lists every event type (docs that cannot drift)."""

from __future__ import annotations

from pathlib import Path

from crossfin.ledger.events import EventType

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_event_type_is_in_the_ledger_docs() -> None:
    text = (DOCS / "ledger.md").read_text()
    missing = [e.value for e in EventType if f"| `{e.value}` | `{e.name}` |" not in text]
    assert not missing, f"add these event types to the table in docs/ledger.md: {missing}"
