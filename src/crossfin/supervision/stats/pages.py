"""The regulator's dashboard: pictures first (ECharts, served by the app), a table under each.

The charts' numbers go into the page as JSON (`<script type="application/json">`, which
the Content-Security-Policy allows: it is data, never run); `static/dashboard.js` draws
them with the vendored ECharts. Names come from the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from crossfin.core.web.i18n import N_, translate
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import language, render, translations
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow
from crossfin.supervision.stats.dashboard import SCENARIOS, Dashboard, dashboard
from crossfin.supervision.stats.dimensions import DIVISIONS

router = APIRouter()
NAV = [
    NavEntry(
        N_("Statistics"),
        "/dashboard",
        kinds(OrgKind.REGULATOR),
        order=35,
        description=N_(
            "Financing and payments of your jurisdiction by month, scenario, class and "
            "area, with drill-down to each county, and the top enterprises."
        ),
    )
]
SCENARIO_NAMES = {
    "F1": N_("Export receivables"),
    "F4": N_("Credit-insurance policy"),
    "F3": N_("Import cash on delivery"),
    "F5": N_("Logistics and port shipping"),
    "F6": N_("China-Europe Railway Express"),
    "F8": N_("Port cloud warehouse"),
    "F7": N_("Matchmaking"),
    "P1": N_("Capital-account income"),
    "P2": N_("Service trade"),
    "P3": N_("Freight"),
    "P4": N_("Offshore trade"),
}
CLASS_NAMES = {"A": N_("Class A"), "B": N_("Class B"), "C": N_("Class C")}
MonthFrom = Annotated[str | None, Query(alias="from", max_length=7)]
MonthTo = Annotated[str | None, Query(alias="to", max_length=7)]


def namer(request: Request) -> Callable[[str, Any], str]:
    """The name of a dimension's value in the page's language."""
    lang, catalog = language(request), translations(request)

    def name(dimension: str, value: Any) -> str:
        if value is None:
            return translate(catalog, N_("Not known"))
        if dimension in DIVISIONS:
            return str(value["name_zh"] if lang == "zh" else value["name_en"])
        if dimension == "scenario" and value in SCENARIO_NAMES:
            return f"{value} · {translate(catalog, SCENARIO_NAMES[value])}"
        if dimension == "class" and value in CLASS_NAMES:
            return translate(catalog, CLASS_NAMES[value])
        return str(value)

    return name


def _usd(text: str) -> str:
    return f"{Decimal(text):,}"


def _link(board: Dashboard, code: str) -> str:
    q = board.query
    params = {"jurisdiction": code, "from": q.month_from, "to": q.month_to, "scenario": q.scenario}
    return "/dashboard?" + urlencode({k: v for k, v in params.items() if v})


def _charts(request: Request, board: Dashboard) -> dict[str, Any]:
    name = namer(request)
    zh = language(request) == "zh"
    data = board.chart_data(name)
    if data["children"] is not None:
        # A prefecture-level city without counties lists itself: no deeper view.
        data["children"]["hrefs"] = [
            _link(board, code) if code and code != board.node.code else None
            for code in data["children"]["keys"]
        ]
    data["top"]["names"] = [(t["name_zh"] if zh else None) or t["name"] for t in board.top]
    return data


@router.get("/dashboard", summary="Statistics of the regulator's subtree, in pictures")
def dashboard_page(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    jurisdiction: Annotated[str | None, Query(max_length=6)] = None,
    month_from: MonthFrom = None,
    month_to: MonthTo = None,
    scenario: Annotated[str | None, Query(max_length=3)] = None,
) -> Response:
    board = dashboard(
        uow.session,
        caller,
        jurisdiction=jurisdiction or None,
        month_from=month_from or None,
        month_to=month_to or None,
        scenario=scenario or None,
    )
    return render(
        request,
        "supervision/dashboard.html",
        {
            "d": board,
            "charts": _charts(request, board),
            "name": namer(request),
            "usd": _usd,
            "link": lambda code: _link(board, code),
            "scenarios": SCENARIOS,
        },
    )
