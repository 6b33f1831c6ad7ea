"""The scenario registry: adding a scenario is one module and one entry below."""

from __future__ import annotations

from collections.abc import Sequence

from crossfin.core.errors import invalid
from crossfin.financing.scenarios.base import Scenario
from crossfin.financing.scenarios.f1 import ExportReceivables
from crossfin.financing.scenarios.f3 import ImportCashOnDelivery
from crossfin.financing.scenarios.f4 import PolicyFinancing
from crossfin.financing.scenarios.f5 import LogisticsFinancing
from crossfin.financing.scenarios.f6 import RailExpressFinancing
from crossfin.financing.scenarios.f8 import CloudWarehouseFinancing

# Order matters for `scenario_for_kinds`: the most specific scenario first.
_SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        PolicyFinancing(),
        LogisticsFinancing(),
        RailExpressFinancing(),
        ExportReceivables(),
        ImportCashOnDelivery(),
        CloudWarehouseFinancing(),
    )
}


def get_scenario(name: str) -> Scenario:
    """The scenario called `name`; a validation error naming the known ones otherwise."""
    try:
        return _SCENARIOS[name]
    except KeyError:
        raise invalid(
            "scenario", f"unknown scenario {name!r}; known: {', '.join(sorted(_SCENARIOS))}"
        ) from None


def all_scenarios() -> list[Scenario]:
    return sorted(_SCENARIOS.values(), key=lambda s: s.name)


def scenario_for_kinds(kinds: Sequence[str]) -> Scenario:
    """The scenario an F7 acceptance opens for the offered documents' kinds."""
    for scenario in _SCENARIOS.values():
        if scenario.fits(kinds):
            return scenario
    raise invalid("documents", "these documents fit no financing scenario")
