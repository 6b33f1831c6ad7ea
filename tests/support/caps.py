"""Loading scenario caps in tests, and catching what registration records."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from crossfin.core.db import Database
from crossfin.financing.caps.schemas import CapsIn
from crossfin.financing.caps.store import set_caps
from crossfin.ledger.uow import UnitOfWork
from support.parties import TEST_ACTOR


def load_caps(
    db: Database, scenario: str, version: int, effective_from: date, **params: Any
) -> None:
    """One caps version, loaded as the operator would (a ledger event)."""
    data = CapsIn(scenario=scenario, version=version, effective_from=effective_from, params=params)
    with UnitOfWork(db, TEST_ACTOR) as uow:
        set_caps(uow, data)
        uow.commit()


def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every (event type, content) units of work record from now on."""
    seen: list[tuple[str, Any]] = []
    real = UnitOfWork.record

    def spy(self: UnitOfWork, event_type: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((str(event_type), kwargs.get("content")))
        return real(self, event_type, *args, **kwargs)

    monkeypatch.setattr(UnitOfWork, "record", spy)
    return seen
