"""What a payment's ledger events commit to: its row and its uses of documents.

`payment_state` is the one projection: submission and every transition commit to its
digest, and the audit (`crossfin log audit --state`) recomputes it from the tables.
`updated_at` stays out (bookkeeping); a use's id is not read back at submission.
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
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.p1_models import P1Funding

KIND = "payment"
_FIELDS = columns_of(Payment, leave_out=("id", "updated_at"))
_USE_FIELDS = columns_of(PaymentUse, leave_out=("id", "payment_id"))
_CHUNK = 2000


def payment_state(payment: Any, uses: Iterable[Any]) -> dict[str, Any]:
    """The state projection of one payment with all its uses (active or not)."""
    state = {name: value_of(payment, name) for name in _FIELDS}
    projected = [{name: value_of(u, name) for name in _USE_FIELDS} for u in uses]
    state["uses"] = sorted(projected, key=lambda u: u["document_id"])
    return state


def payment_commitment(payment: Any, uses: Iterable[Any]) -> dict[str, str]:
    """The `state` entry of an event that leaves `payment` (an ORM row, or the dict that
    inserts it) with `uses` as it is now."""
    key = payment["id"] if type(payment) is dict else payment.id
    return {entity_key(KIND, key): state_digest(payment_state(payment, uses))}


FUNDING_KIND = "p1_funding"


def funding_commitment(payment_id: int, source_of_funds: str) -> dict[str, str]:
    """A P1 payment's source of funds, committed by its submission event."""
    projection = {"source_of_funds": source_of_funds}
    return {entity_key(FUNDING_KIND, payment_id): state_digest(projection)}


def _funding_rows(session: Session) -> Iterator[StateRow]:
    query = select(P1Funding.payment_id, P1Funding.source_of_funds).order_by(P1Funding.payment_id)
    for payment_id, source in session.execute(query):
        yield StateRow(payment_id, {"source_of_funds": source}, None)


def current_uses(session: Session, payment_id: int) -> list[PaymentUse]:
    query = select(PaymentUse).where(PaymentUse.payment_id == payment_id)
    return list(session.scalars(query))


def _rows(session: Session) -> Iterator[StateRow]:
    payments = session.execute(
        select(*Payment.__table__.columns).order_by(Payment.id).execution_options(yield_per=_CHUNK)
    )
    uses = session.execute(
        select(*PaymentUse.__table__.columns)
        .order_by(PaymentUse.payment_id, PaymentUse.id)
        .execution_options(yield_per=_CHUNK)
    )
    for row, mine in with_children(payments, uses, "payment_id"):
        yield StateRow(row.id, payment_state(row, mine), row.created_at)


def state_views() -> list[StateView]:
    """The payments domain's entities, for the audit (registered at assembly)."""
    return [
        StateView(KIND, "payments", _rows),
        StateView(FUNDING_KIND, "p1_fundings", _funding_rows),
    ]
