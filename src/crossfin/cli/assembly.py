"""Assembly: what the domains hand to the floors below them, wired explicitly here.

The ledger audits business rows it knows nothing about: each domain describes its entities
(`state_views()`), and this is the one place that registers them. A new domain with
entities of its own adds one line.
"""

from __future__ import annotations

from crossfin.documents import state as documents_state
from crossfin.financing import state as financing_state
from crossfin.ledger.state import StateView, StateViews
from crossfin.payments import state as payments_state


def state_views() -> list[StateView]:
    """Every domain's state views, in the order the audit reads them."""
    return [
        *financing_state.state_views(),
        *payments_state.state_views(),
        *documents_state.state_views(),
    ]


def register_state_views(registry: StateViews) -> StateViews:
    """Register every domain's views into `registry` (the CLI's: `ledger.state.REGISTRY`)."""
    for view in state_views():
        registry.register(view)
    return registry
