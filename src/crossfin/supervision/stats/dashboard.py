"""What the regulator's dashboard shows, from the same `figures` and `top_enterprises` as
the API: trends by month, breakdowns by scenario and class, the children of the viewed
jurisdiction compared, the top enterprises, and the totals over the months chosen.

Flows are what the pictures compare: financings registered and payments facilitated. The
months default to the last twelve (China's calendar), the viewed node to the regulator's
own; a child is reached by its code, never above the regulator's node (403).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.parties.access import Caller, supervises
from crossfin.parties.gates import SCENARIOS as GATED
from crossfin.parties.models import Jurisdiction
from crossfin.supervision.stats.dimensions import CHILD_LEVEL
from crossfin.supervision.stats.figures import figures
from crossfin.supervision.stats.query import FLOWS, StatsQuery, parse_query, scope_of
from crossfin.supervision.stats.top import top_enterprises

TOP = 10
# Scenarios offered in the filter: financing (F) and payments (P), as the gates list them.
SCENARIOS = tuple(sorted(GATED))
# A trend is drawn month by month up to this span; a longer range lists the months it has.
MAX_MONTHS = 120


@dataclass
class Dashboard:
    node: Jurisdiction
    crumbs: list[Jurisdiction]  # from the regulator's own node down to the viewed one
    query: StatsQuery
    totals: dict[str, Any]
    trends: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    classes: list[dict[str, Any]]
    child_level: str | None
    children: list[dict[str, Any]]
    top: list[dict[str, Any]]

    def chart_data(self, name: Callable[[str, Any], str]) -> dict[str, Any]:
        """The numbers the charts draw (USD as numbers: pictures, not accounts), each
        category with its key and its `name(dimension, value)`."""
        children = None
        if self.child_level:
            children = _series(self.children, self.child_level, name)
        return {
            "trends": _series(self.trends, "month", name),
            "scenarios": _series(self.scenarios, "scenario", name),
            "classes": _series(self.classes, "class", name),
            "children": children,
            "top": {
                "names": [t["name"] for t in self.top],
                "usd": [float(t["usd"]) for t in self.top],
            },
        }


def last_months(today: date, count: int = 12) -> tuple[str, str]:
    """The first and last of the `count` months ending with today's, as YYYY-MM."""
    index = today.year * 12 + today.month - 1 - (count - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}", f"{today:%Y-%m}"


def dashboard(
    session: Session,
    caller: Caller,
    *,
    jurisdiction: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    scenario: str | None = None,
) -> Dashboard:
    """Everything the page shows for the node `jurisdiction` (default: the caller's)."""
    if not month_from and not month_to:
        month_from, month_to = last_months(business_date())
    base = parse_query(
        month_from=month_from, month_to=month_to, scenario=scenario, jurisdiction=jurisdiction
    )
    node = scope_of(session, caller, base)
    flows = replace(base, measures=FLOWS)
    # Enterprises served are counted for the totals, the classes and the areas only.
    bare = replace(flows, with_enterprises=False)
    child = CHILD_LEVEL.get(node.level)
    totals = figures(session, caller, base)
    trends = figures(session, caller, replace(bare, group_by=("month",)))
    return Dashboard(
        node=node,
        crumbs=_crumbs(session, caller, node),
        query=base,
        totals=totals[0] if totals else {},
        trends=_every_month(trends, base),
        scenarios=figures(session, caller, replace(bare, group_by=("scenario",))),
        classes=figures(session, caller, replace(flows, group_by=("class",))),
        child_level=child,
        children=figures(session, caller, replace(flows, group_by=(child,))) if child else [],
        top=top_enterprises(session, caller, base, TOP),
    )


def _crumbs(session: Session, caller: Caller, node: Jurisdiction) -> list[Jurisdiction]:
    codes = node.path.strip("/").split("/")
    found = {
        j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))
    }
    return [found[c] for c in codes if c in found and supervises(caller, found[c].path)]


def _every_month(rows: list[dict[str, Any]], query: StatsQuery) -> list[dict[str, Any]]:
    """One row per month of the range, those without figures at zero (a trend has no gaps)."""
    if not query.month_from or not query.month_to or _span(query) > MAX_MONTHS:
        return rows
    have = {r["month"]: r for r in rows}
    zero = {"count": 0, "usd": "0.00", "amount": None}
    months = []
    year, month = map(int, query.month_from.split("-"))
    while f"{year:04d}-{month:02d}" <= query.month_to:
        key = f"{year:04d}-{month:02d}"
        months.append(
            have.get(key)
            or {
                "month": key,
                "measures": {m.value: dict(zero) for m in FLOWS},
            }
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _span(query: StatsQuery) -> int:
    (y1, m1), (y2, m2) = (map(int, str(m).split("-")) for m in (query.month_from, query.month_to))
    return (y2 - y1) * 12 + m2 - m1 + 1


def _series(
    rows: list[dict[str, Any]], dimension: str, name: Callable[[str, Any], str]
) -> dict[str, Any]:
    """Category keys and names and, per flow, the USD and count of each."""

    def key(value: Any) -> Any:
        return value.get("code") if isinstance(value, dict) else value

    return {
        "keys": [key(r[dimension]) for r in rows],
        "names": [name(dimension, r[dimension]) for r in rows],
        **{
            f"{m.value}_{what}": [
                float(r["measures"][m.value][what])
                if what == "usd"
                else r["measures"][m.value][what]
                for r in rows
            ]
            for m in FLOWS
            for what in ("usd", "count")
        },
    }
