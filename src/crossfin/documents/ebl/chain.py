"""The endorsement chain as a state machine: which step is legal now, and who holds.

issued -> (endorsed | pledged -> released)* -> surrendered. Nothing follows a surrender;
a pledged bill is neither endorsed nor surrendered until the pledge is released. Pure: no
database, so the rules are tested on their own and every entry point shares them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from crossfin.core.errors import IllegalTransition


class Action(StrEnum):
    ISSUE = "issue"
    ENDORSE = "endorse"
    PLEDGE = "pledge"
    RELEASE = "release"
    SURRENDER = "surrender"


class Status(StrEnum):
    NONE = "not_issued"
    HELD = "held"
    PLEDGED = "pledged"
    SURRENDERED = "surrendered"


@dataclass(frozen=True)
class Holder:
    """Who holds the bill: an enterprise by USCC and/or a name, on a platform.

    `source_org_id` is the crossfin source keeping its register; `platform` a foreign
    platform's code (PINT), when the holder is not on a crossfin source.
    """

    uscc: str | None
    name: str | None
    source_org_id: int | None
    platform: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "source_org_id": self.source_org_id,
            "platform": self.platform,
        }


@dataclass(frozen=True)
class Move:
    """A step as the rules see it."""

    action: Action
    to: Holder | None = None
    pledgee_org_id: int | None = None
    # A bank's release of its financing's pledge (F5), not of a pledge step.
    financing_id: int | None = None


@dataclass(frozen=True)
class ChainState:
    status: Status = Status.NONE
    holder: Holder | None = None
    pledgee_org_id: int | None = None
    steps: int = 0
    released_financings: frozenset[int] = frozenset()


_ALLOWED: dict[Action, frozenset[Status]] = {
    Action.ISSUE: frozenset({Status.NONE}),
    Action.ENDORSE: frozenset({Status.HELD}),
    Action.PLEDGE: frozenset({Status.HELD}),
    Action.RELEASE: frozenset({Status.PLEDGED}),
    Action.SURRENDER: frozenset({Status.HELD}),
}


def check(state: ChainState, move: Move) -> None:
    """Raise 409 /illegal-transition naming the state when `move` is not legal from it."""
    allowed = _ALLOWED[move.action]
    if move.financing_id is not None:  # a financing's pledge is not the chain's status
        allowed = frozenset({Status.HELD, Status.PLEDGED})
    if state.status not in allowed:
        raise IllegalTransition(
            f"a bill of lading that is {state.status.value} cannot take '{move.action.value}'",
            state=state.status.value,
            action=move.action.value,
        )


def apply(state: ChainState, move: Move) -> ChainState:
    """The state after `move`; the move must be legal (checked here too)."""
    check(state, move)
    after = replace(state, steps=state.steps + 1)
    if move.financing_id is not None:
        return replace(after, released_financings=state.released_financings | {move.financing_id})
    if move.action in (Action.ISSUE, Action.ENDORSE):
        return replace(after, status=Status.HELD, holder=move.to)
    if move.action is Action.PLEDGE:
        return replace(after, status=Status.PLEDGED, pledgee_org_id=move.pledgee_org_id)
    if move.action is Action.RELEASE:
        return replace(after, status=Status.HELD, pledgee_org_id=None)
    return replace(after, status=Status.SURRENDERED)


def fold(moves: Iterable[Move]) -> ChainState:
    """The state a list of recorded moves leads to."""
    state = ChainState()
    for move in moves:
        state = apply(state, move)
    return state
