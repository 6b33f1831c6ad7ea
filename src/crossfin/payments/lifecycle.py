r"""The payment state machine in one table: states, actions, roles, events, balance effect.

  submitted --approve (checker)--> approved --pay--> paid --return--> returned
      \--cancel--> cancelled <--cancel--/

A return (the funds came back) or a cancellation releases the payment's uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crossfin.core.errors import IllegalTransition
from crossfin.ledger.events import EventType
from crossfin.parties.models import Role


class State(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class Action(StrEnum):
    APPROVE = "approve"
    PAY = "pay"
    RETURN = "return"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    target: State
    event: EventType
    roles: frozenset[Role]
    releases: bool


_MAKERS = frozenset({Role.OPERATOR, Role.ADMIN})
RULES: dict[Action, Rule] = {
    Action.APPROVE: Rule(
        frozenset({State.SUBMITTED}),
        State.APPROVED,
        EventType.PAYMENT_APPROVED,
        frozenset({Role.APPROVER}),
        False,
    ),
    Action.PAY: Rule(
        frozenset({State.APPROVED}), State.PAID, EventType.PAYMENT_PAID, _MAKERS, False
    ),
    Action.RETURN: Rule(
        frozenset({State.PAID}), State.RETURNED, EventType.PAYMENT_RETURNED, _MAKERS, True
    ),
    Action.CANCEL: Rule(
        frozenset({State.SUBMITTED, State.APPROVED}),
        State.CANCELLED,
        EventType.PAYMENT_CANCELLED,
        _MAKERS | {Role.APPROVER},
        True,
    ),
}


def rule_for(action: Action, state: str) -> Rule:
    """The rule of `action` from `state`; 409 /illegal-transition when there is none."""
    rule = RULES[action]
    if State(state) not in rule.sources:
        raise IllegalTransition(
            f"a {state} payment cannot {action.value}", state=state, action=action.value
        )
    return rule
