"""What a financing's ledger events commit to: its row and its uses of documents.

`financing_state` is the one projection: `persist` and `_move` commit to its digest when
they record, and the audit (`crossfin log audit`) recomputes it from the tables.
`change_seq` and `updated_at` stay out: the change stamp is written after the event,
as the last step of the change (changes.py), and only orders reconciliation. So do the
statistics' columns added by migration 0021 (`trade_class`, `usd_minor`, `usd_rate`,
`usd_rate_source`): the events of financings registered before it committed to
projections without them, and the audit recomputes the projection from today's row, so
adding them would fail every such financing (docs/supervision.md, "Statistics").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.financing.models import Financing, FinancingUse
from crossfin.ledger.state import (
    StateRow,
    StateView,
    columns_of,
    entity_key,
    state_digest,
    value_of,
    with_children,
)

KIND = "financing"
_STATS_COLUMNS = ("trade_class", "usd_minor", "usd_rate", "usd_rate_source")
_FIELDS = columns_of(Financing, leave_out=("id", "change_seq", "updated_at", *_STATS_COLUMNS))
# A use's id is not read back at registration (one plain executemany); a financing names
# each document once, so the document orders its uses.
_USE_FIELDS = columns_of(FinancingUse, leave_out=("id", "financing_id"))
_CHUNK = 2000


def financing_state(financing: Any, uses: Iterable[Any]) -> dict[str, Any]:
    """The state projection of one financing with all its uses (active or not)."""
    state = {name: value_of(financing, name) for name in _FIELDS}
    projected = [{name: value_of(u, name) for name in _USE_FIELDS} for u in uses]
    state["uses"] = sorted(projected, key=lambda u: (u["document_id"], u["role"]))
    return state


def financing_commitment(financing: Financing, uses: Iterable[Any]) -> dict[str, str]:
    """The `state` entry of an event that leaves `financing` (with `uses`) as it is now."""
    return {entity_key(KIND, financing.id): state_digest(financing_state(financing, uses))}


def current_uses(session: Session, financing_id: int) -> list[FinancingUse]:
    """Every use of a financing as this transaction sees it (pending changes flushed)."""
    query = select(FinancingUse).where(FinancingUse.financing_id == financing_id)
    return list(session.scalars(query))


def _rows(session: Session) -> Iterator[StateRow]:
    financings = session.execute(
        select(*Financing.__table__.columns)
        .order_by(Financing.id)
        .execution_options(yield_per=_CHUNK)
    )
    uses = session.execute(
        select(*FinancingUse.__table__.columns)
        .order_by(FinancingUse.financing_id, FinancingUse.id)
        .execution_options(yield_per=_CHUNK)
    )
    for row, mine in with_children(financings, uses, "financing_id"):
        yield StateRow(row.id, financing_state(row, mine), row.created_at)


def state_views() -> list[StateView]:
    """The financing domain's entities, for the audit (registered at assembly)."""
    return [StateView(KIND, "financings", _rows)]
