"""What an insurance claim's ledger event commits to: its row (never changed afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.financing.insurance.models import InsuranceClaim
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
)

KIND = "insurance_claim"
_FIELDS = columns_of(InsuranceClaim, leave_out=("id",))


def claim_state(row: Any) -> dict[str, Any]:
    return {name: value_of(row, name) for name in _FIELDS}


def claim_commitment(row: InsuranceClaim) -> dict[str, str]:
    return {entity_key(KIND, row.id): state_digest(claim_state(row))}


def _rows(session: Session) -> Iterator[StateRow]:
    for row in session.scalars(select(InsuranceClaim).order_by(InsuranceClaim.id)):
        yield StateRow(row.id, claim_state(row), row.created_at)


def state_views() -> list[StateView]:
    """The insurance claims, for the audit (registered at assembly)."""
    return [StateView(KIND, "insurance_claims", _rows)]
