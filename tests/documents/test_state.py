"""Publication's written-out projection is `document_state`'s, column for column."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crossfin.documents.models import Document, DocumentVersion
from crossfin.documents.state import document_state, published_document_state
from crossfin.ledger.state import state_digest


def _row(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Every column of `model`'s table: `values` where given, else a stand-in (so a column
    added later reaches `document_state` and must reach the written-out projection too)."""
    row: dict[str, Any] = {}
    for column in model.__table__.columns:
        row[column.key] = values.get(column.key, f"other {column.key}")
    return row


@pytest.mark.parametrize(
    ("value_minor", "currency", "single_use", "batch_id", "content"),
    [
        (123456, "USD", False, "b-1", '{"declaration_no":"531620240000000001"}'),
        (0, "", True, None, '{"é":"中\\u0000"}'),
        (2**60, "JPY", False, "b:2", "{}"),
    ],
)
def test_published_document_state_is_document_state(
    value_minor: int, currency: str, single_use: bool, batch_id: str | None, content: str
) -> None:
    digest = bytes(range(32))
    now = datetime(2026, 12, 6, tzinfo=UTC)
    document = _row(
        Document,
        {
            "id": 17,
            "kind": "customs_declaration",
            "key": "531620240000000001",
            "source_org_id": 3,
            "owner_uscc": "91440305MA5DXXXX1X",
            "owner_org_id": None,
            "jurisdiction_path": None,
            "version": 1,
            "value_minor": value_minor,
            "currency": currency,
            "single_use": single_use,
            "digest": digest,
            "created_at": now,
            "updated_at": now,
        },
    )
    version = _row(
        DocumentVersion,
        {
            "id": 40,
            "document_id": 17,
            "version": 1,
            "content": content,
            "record_digest": digest,
            "value_minor": value_minor,
            "currency": currency,
            "reason": None,
            "batch_id": batch_id,
            "created_at": now,
        },
    )
    fast = published_document_state(
        "customs_declaration",
        "531620240000000001",
        3,
        "91440305MA5DXXXX1X",
        value_minor,
        currency,
        single_use,
        digest,
        content,
        batch_id,
    )
    assert fast == document_state(document, [version])
    assert state_digest(fast) == state_digest(document_state(document, [version]))
