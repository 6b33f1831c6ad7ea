"""Every class test runs on a pinned business date (support/classes.py)."""

from __future__ import annotations

import pytest

from support.classes import NOON


@pytest.fixture(autouse=True)
def _pinned_business_date(monkeypatch: pytest.MonkeyPatch) -> None:
    # business_date() reads the clock module's utcnow; the times events record do not.
    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: NOON)
