"""Reading a chain back: its steps in order, the moves they make, and what events commit to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.documents.ebl.chain import Action, ChainState, Holder, Move, fold
from crossfin.documents.ebl.models import EblStep
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
)

STEP = "ebl_step"
_FIELDS = columns_of(EblStep, leave_out=("id", "created_at"))


def steps_of(session: Session, document_id: int) -> list[EblStep]:
    query = select(EblStep).where(EblStep.document_id == document_id).order_by(EblStep.seq)
    return list(session.scalars(query))


def move_of(step: EblStep) -> Move:
    """The move a recorded step made (the rules' view of it)."""
    to = None
    if step.to_uscc or step.to_name:
        to = Holder(step.to_uscc, step.to_name, step.to_source_org_id, step.to_platform)
    return Move(Action(step.action), to, step.pledgee_org_id, step.financing_id)


def state_of(steps: list[EblStep]) -> ChainState:
    """The chain's state: the fold of its steps (the only place the holder comes from)."""
    return fold(move_of(s) for s in steps)


def step_state(step: Any) -> dict[str, Any]:
    """The state projection of one step (every column but the id and the insert time)."""
    return {name: value_of(step, name) for name in _FIELDS}


def step_commitment(steps: list[EblStep]) -> dict[str, str]:
    return {entity_key(STEP, s.id): state_digest(step_state(s)) for s in steps}


def _rows(session: Session) -> Iterator[StateRow]:
    query = select(*EblStep.__table__.columns).order_by(EblStep.id)
    for row in session.execute(query.execution_options(yield_per=5000)):
        yield StateRow(row.id, step_state(row), row.created_at)


def state_views() -> list[StateView]:
    """The chain's entities, for the audit (registered at assembly)."""
    return [StateView(STEP, "ebl_steps", _rows)]
