"""What a goods release's ledger event commits to: its row (never changed afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.financing.warehouse.models import GoodsRelease
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
)

KIND = "goods_release"
_FIELDS = columns_of(GoodsRelease, leave_out=("id",))


def release_state(row: Any) -> dict[str, Any]:
    return {name: value_of(row, name) for name in _FIELDS}


def release_commitment(row: GoodsRelease) -> dict[str, str]:
    return {entity_key(KIND, row.id): state_digest(release_state(row))}


def _rows(session: Session) -> Iterator[StateRow]:
    for row in session.scalars(select(GoodsRelease).order_by(GoodsRelease.id)):
        yield StateRow(row.id, release_state(row), row.created_at)


def state_views() -> list[StateView]:
    """The goods releases, for the audit (registered at assembly)."""
    return [StateView(KIND, "goods_releases", _rows)]
