r"""The financing state machine, in one place: states, actions, who may act, ledger events.

  registered --approve--> approved --disburse--> disbursed --repay--> partly_repaid
      |  \--reject--> rejected        |                  \--repay (all)--> repaid --close--> closed
      |  \--cancel--> cancelled <-----/ (before disbursement)
      \--expire--> expired (reservation lapsed)

Overdue is a flag on disbursed / partly repaid financings, set by `mark_overdue` when the due
date passes unpaid; it stays in the history (`overdue_since`) after repayment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crossfin.core.errors import IllegalTransition
from crossfin.ledger.events import EventType
from crossfin.parties.models import Role


class State(StrEnum):
    REGISTERED = "registered"
    APPROVED = "approved"
    DISBURSED = "disbursed"
    PARTLY_REPAID = "partly_repaid"
    REPAID = "repaid"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    EXPIRE = "expire"
    DISBURSE = "disburse"
    REPAY = "repay"
    CLOSE = "close"
    MARK_OVERDUE = "mark_overdue"


class Release(StrEnum):
    """What an action does to the documents' balance (scenarios may refine it)."""

    NOTHING = "nothing"
    ALL = "all"
    PRO_RATA = "pro_rata"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    target: State | None  # None: decided by the action (repay) or unchanged (overdue)
    event: EventType
    roles: frozenset[Role]
    release: Release


_MAKERS = frozenset({Role.OPERATOR, Role.ADMIN})
_CHECKERS = frozenset({Role.APPROVER})
_ANY = frozenset({Role.OPERATOR, Role.ADMIN, Role.APPROVER})
_LIVE_LOAN = frozenset({State.DISBURSED, State.PARTLY_REPAID})

RULES: dict[Action, Rule] = {
    Action.APPROVE: Rule(
        frozenset({State.REGISTERED}),
        State.APPROVED,
        EventType.FINANCING_APPROVED,
        _CHECKERS,
        Release.NOTHING,
    ),
    Action.REJECT: Rule(
        frozenset({State.REGISTERED}),
        State.REJECTED,
        EventType.FINANCING_REJECTED,
        _CHECKERS,
        Release.ALL,
    ),
    Action.CANCEL: Rule(
        frozenset({State.REGISTERED, State.APPROVED}),
        State.CANCELLED,
        EventType.FINANCING_CANCELLED,
        _ANY,
        Release.ALL,
    ),
    Action.EXPIRE: Rule(
        frozenset({State.REGISTERED}),
        State.EXPIRED,
        EventType.FINANCING_EXPIRED,
        frozenset(),
        Release.ALL,
    ),
    Action.DISBURSE: Rule(
        frozenset({State.APPROVED}),
        State.DISBURSED,
        EventType.FINANCING_DISBURSED,
        _MAKERS,
        Release.NOTHING,
    ),
    Action.REPAY: Rule(_LIVE_LOAN, None, EventType.FINANCING_REPAID, _MAKERS, Release.PRO_RATA),
    Action.CLOSE: Rule(
        frozenset({State.REPAID}),
        State.CLOSED,
        EventType.FINANCING_CLOSED,
        _MAKERS,
        Release.NOTHING,
    ),
    Action.MARK_OVERDUE: Rule(
        _LIVE_LOAN, None, EventType.FINANCING_OVERDUE, frozenset(), Release.NOTHING
    ),
}

# States in which the financing still holds (part of) its documents' balance.
HOLDING = frozenset({State.REGISTERED, State.APPROVED, State.DISBURSED, State.PARTLY_REPAID})
TERMINAL = frozenset({State.CLOSED, State.REJECTED, State.CANCELLED, State.EXPIRED})


def rule_for(action: Action, current: str) -> Rule:
    """The rule of `action` if allowed from `current`; IllegalTransition naming the state."""
    rule = RULES[action]
    if State(current) not in rule.sources:
        allowed = ", ".join(sorted(s.value for s in rule.sources))
        raise IllegalTransition(
            f"cannot {action.value} a financing that is {current} (allowed from: {allowed})",
            state=current,
            action=action.value,
        )
    return rule


def allowed_actions(state: str) -> list[str]:
    """Actions a person could take now (system actions excluded), for UIs."""
    return [a.value for a, r in RULES.items() if State(state) in r.sources and r.roles]
