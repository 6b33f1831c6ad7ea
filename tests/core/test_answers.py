"""State-changing answers: the payload, then the ledger receipt under `receipt`."""

from __future__ import annotations

import json
from datetime import date

from pydantic import BaseModel

from crossfin.core.http.answers import answer_body
from crossfin.ledger.journal import Receipt


class Out(BaseModel):
    id: int
    due: date


def test_receipt_shape_and_payload_kinds() -> None:
    receipt = Receipt("e-1", "ab" * 32, 7)
    body = json.loads(answer_body(Out(id=1, due=date(2026, 1, 2)), receipt))
    assert body == {
        "id": 1,
        "due": "2026-01-02",
        "receipt": {"event_id": "e-1", "leaf_hash": "ab" * 32, "leaf_index": 7},
    }
    assert json.loads(answer_body({"name": "广州", "when": date(2026, 1, 2)}, None)) == {
        "name": "广州",
        "when": "2026-01-02",
    }
