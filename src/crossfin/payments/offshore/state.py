"""What a P4 check's ledger event commits to: its row and the documents it endorsed.

`event_id` stays out of the projection: it is the event's own id, written once the event
is queued. The audit (`crossfin log audit --state`) recomputes the rest from the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
    with_children,
)
from crossfin.payments.offshore.models import OffshoreCheck, OffshoreCheckUse

KIND = "offshore_check"
_FIELDS = columns_of(OffshoreCheck, leave_out=("id", "event_id"))
_USE_FIELDS = columns_of(OffshoreCheckUse, leave_out=("id", "check_id"))


def check_state(check: Any, uses: Iterable[Any]) -> dict[str, Any]:
    state = {name: value_of(check, name) for name in _FIELDS}
    projected = [{name: value_of(u, name) for name in _USE_FIELDS} for u in uses]
    state["uses"] = sorted(projected, key=lambda u: u["document_id"])
    return state


def check_commitment(check: OffshoreCheck, uses: Iterable[Any]) -> dict[str, str]:
    return {entity_key(KIND, check.id): state_digest(check_state(check, uses))}


def _rows(session: Session) -> Iterator[StateRow]:
    checks = session.execute(select(*OffshoreCheck.__table__.columns).order_by(OffshoreCheck.id))
    uses = session.execute(
        select(*OffshoreCheckUse.__table__.columns).order_by(
            OffshoreCheckUse.check_id, OffshoreCheckUse.id
        )
    )
    for row, mine in with_children(checks, uses, "check_id"):
        yield StateRow(row.id, check_state(row, mine), row.created_at)


def state_views() -> list[StateView]:
    return [StateView(KIND, "offshore_checks", _rows)]
