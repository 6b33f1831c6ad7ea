"""What a caps version's ledger event commits to: its row (never changed afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.financing.caps.models import ScenarioCaps
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
)

KIND = "scenario_caps"
_FIELDS = columns_of(ScenarioCaps, leave_out=("id",))


def caps_state(row: Any) -> dict[str, Any]:
    return {name: value_of(row, name) for name in _FIELDS}


def caps_commitment(row: ScenarioCaps) -> dict[str, str]:
    return {entity_key(KIND, row.id): state_digest(caps_state(row))}


def _rows(session: Session) -> Iterator[StateRow]:
    for row in session.scalars(select(ScenarioCaps).order_by(ScenarioCaps.id)):
        yield StateRow(row.id, caps_state(row), row.created_at)


def state_views() -> list[StateView]:
    """The caps versions, for the audit (registered at assembly)."""
    return [StateView(KIND, "scenario_caps", _rows)]
