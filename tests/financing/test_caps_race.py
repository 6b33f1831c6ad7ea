"""Two loads of one caps version at once: the second waits on the first's row and answers
as if it had come after it (unchanged, or 409 when the values differ), never with a
unique violation. On PostgreSQL the second's `FOR UPDATE` finds no row to lock, so its
insert meets the first's in the unique index: the path this test is for."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from crossfin.core.db import Actor
from crossfin.core.errors import Conflict
from crossfin.financing.caps.models import ScenarioCaps
from crossfin.financing.caps.schemas import CapsIn
from crossfin.financing.caps.store import set_caps
from crossfin.ledger.events import EventType
from crossfin.ledger.models import LedgerEvent
from crossfin.ledger.uow import UnitOfWork
from support.financing import today

OPERATOR = Actor(None, None, "operator")


def caps(ratio: str) -> CapsIn:
    return CapsIn.model_validate(
        {
            "scenario": "F1",
            "version": 7,
            "effective_from": str(today()),
            "params": {"advance_ratio": ratio, "max_declaration_age_days": 90},
        }
    )


def second_load_while_first_is_open(db, first: CapsIn, second: CapsIn) -> list[object]:
    """Load `first` and, before it commits, start loading `second` in another thread."""
    outcome: list[object] = []

    def load() -> None:
        try:
            with UnitOfWork(db, OPERATOR) as uow:
                row, receipt = set_caps(uow, second)
                uow.commit()
                outcome.append((row.params_sha256, receipt))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the test asserts on it
            outcome.append(exc)

    with UnitOfWork(db, OPERATOR) as uow:
        set_caps(uow, first)
        uow.session.flush()
        racer = threading.Thread(target=load)
        racer.start()
        time.sleep(0.5)  # the racer is now blocked on the first's row (or its write lock)
        uow.commit()
    racer.join(30)
    assert not racer.is_alive()
    return outcome


def counts(db) -> tuple[int, int]:
    with db.session(readonly=True) as session:
        rows = session.scalar(select(func.count()).select_from(ScenarioCaps))
        events = session.scalar(
            select(func.count()).where(LedgerEvent.type == EventType.SCENARIO_CAPS_SET.value)
        )
    return rows or 0, events or 0


def test_the_same_version_loaded_twice_at_once_is_loaded_once(db):
    [answer] = second_load_while_first_is_open(db, caps("0.80"), caps("0.80"))
    assert not isinstance(answer, Exception), answer
    assert answer[1] is None  # unchanged: no second event
    assert counts(db) == (1, 1)


def test_other_values_under_the_same_version_at_once_get_409(db):
    [answer] = second_load_while_first_is_open(db, caps("0.80"), caps("0.70"))
    assert isinstance(answer, Conflict), answer
    assert counts(db) == (1, 1)
    with pytest.raises(Conflict), UnitOfWork(db, OPERATOR) as uow:  # later, as before
        set_caps(uow, caps("0.70"))
