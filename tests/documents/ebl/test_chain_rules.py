"""The chain's state machine on its own: legal moves, the holder at each point, refusals."""

from __future__ import annotations

import pytest

from crossfin.core.errors import IllegalTransition
from crossfin.documents.ebl.chain import Action, Holder, Move, Status, apply, fold

A = Holder("91440300MA5XXXXXX1", "Shipper", 1)
B = Holder(None, "Buyer GmbH", None, "BOLE")


def test_full_chain_derives_holder_and_pledge() -> None:
    moves = [
        Move(Action.ISSUE, A),
        Move(Action.ENDORSE, B),
        Move(Action.PLEDGE, pledgee_org_id=7),
        Move(Action.RELEASE),
        Move(Action.ENDORSE, A),
        Move(Action.SURRENDER),
    ]
    seen = []
    state = fold([])
    for move in moves:
        state = apply(state, move)
        seen.append((state.status, state.holder, state.pledgee_org_id))
    assert seen == [
        (Status.HELD, A, None),
        (Status.HELD, B, None),
        (Status.PLEDGED, B, 7),
        (Status.HELD, B, None),
        (Status.HELD, A, None),
        (Status.SURRENDERED, A, None),
    ]
    assert state.steps == 6


@pytest.mark.parametrize(
    ("before", "move", "state"),
    [
        ([], Move(Action.ENDORSE, A), "not_issued"),
        ([Move(Action.ISSUE, A)], Move(Action.ISSUE, A), "held"),
        ([Move(Action.ISSUE, A)], Move(Action.RELEASE), "held"),
        (
            [Move(Action.ISSUE, A), Move(Action.PLEDGE, pledgee_org_id=3)],
            Move(Action.ENDORSE, B),
            "pledged",
        ),
        (
            [Move(Action.ISSUE, A), Move(Action.PLEDGE, pledgee_org_id=3)],
            Move(Action.SURRENDER),
            "pledged",
        ),
        ([Move(Action.ISSUE, A), Move(Action.SURRENDER)], Move(Action.ENDORSE, B), "surrendered"),
        (
            [Move(Action.ISSUE, A), Move(Action.SURRENDER)],
            Move(Action.PLEDGE, pledgee_org_id=3),
            "surrendered",
        ),
    ],
)
def test_illegal_moves_name_the_state(before: list[Move], move: Move, state: str) -> None:
    with pytest.raises(IllegalTransition) as caught:
        apply(fold(before), move)
    assert caught.value.problem()["state"] == state


def test_a_financing_release_leaves_the_status() -> None:
    state = apply(fold([Move(Action.ISSUE, A)]), Move(Action.RELEASE, financing_id=5))
    assert state.status is Status.HELD and state.released_financings == {5}
