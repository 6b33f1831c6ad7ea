"""Every class test runs on a pinned business date (support/classes.py)."""

from __future__ import annotations

import pytest

from crossfin.api.routes import registry as api_registry
from crossfin.web import registry as web_registry
from support.classes import NOON

# The app imports its routers and pages lazily, when it is first built. Built first inside
# a class test, a module doing `from crossfin.core.clock import utcnow` would bind the
# pinned clock below for the rest of the session (the security page then drew its chart
# for 04:00 UTC, and failed its tests once the day was older than its window). Import
# them all now, unpinned.
api_registry.routers()
web_registry.routers()
web_registry.nav_entries()


@pytest.fixture(autouse=True)
def _pinned_business_date(monkeypatch: pytest.MonkeyPatch) -> None:
    # business_date() reads the clock module's utcnow; the times events record do not.
    monkeypatch.setattr("crossfin.core.clock.utcnow", lambda: NOON)
