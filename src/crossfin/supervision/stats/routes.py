"""HTTP routes of the statistics: `GET /v1/stats` (JSON, CSV, XLSX) and the top enterprises."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from crossfin.core.http.params import QueryId
from crossfin.parties.http import ReplicaCallerDep, ReplicaUow
from crossfin.parties.models import Jurisdiction
from crossfin.supervision.stats.downloads import XLSX, stats_file
from crossfin.supervision.stats.figures import figures
from crossfin.supervision.stats.query import parse_query, scope_of
from crossfin.supervision.stats.schemas import (
    DivisionOut,
    StatsOut,
    StatsRowOut,
    TopEnterpriseOut,
    TopOut,
)
from crossfin.supervision.stats.top import top_enterprises

router = APIRouter(prefix="/v1", tags=["statistics"])
_WHO: dict[int | str, dict[str, Any]] = {
    403: {
        "description": "Not a regulator (`/forbidden`), or a jurisdiction outside the subtree "
        "it supervises (`/outside-subtree`, naming `query.jurisdiction`)"
    },
}
_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        }
    }
}
MonthFrom = Annotated[
    str | None,
    Query(alias="from", max_length=7, examples=["2026-01"], description="first month, YYYY-MM"),
]
MonthTo = Annotated[
    str | None,
    Query(alias="to", max_length=7, examples=["2026-12"], description="last month, YYYY-MM"),
]
GroupBy = Annotated[
    list[str] | None,
    Query(
        description="province, prefecture, county, month, scenario, currency, class, bank "
        "(comma-separated or repeated)",
        examples=["province,month"],
    ),
]
Measures = Annotated[
    list[str] | None,
    Query(
        description="registered, disbursed, outstanding, overdue, facilitated, verified, "
        "mismatched, refused, check_passed, check_failed (default: all)",
        examples=["registered,facilitated"],
    ),
]
Scenario = Annotated[str | None, Query(max_length=3, examples=["F1"])]
TradeClass = Annotated[str | None, Query(alias="class", max_length=1, examples=["A"])]
Code = Annotated[
    str | None,
    Query(
        max_length=6,
        examples=["440300"],
        description="a division code in your subtree (default: your own jurisdiction)",
    ),
]


def _division(node: Jurisdiction) -> DivisionOut:
    return DivisionOut(code=node.code, name_zh=node.name_zh, name_en=node.name_en)


@router.get(
    "/stats",
    response_model=StatsOut,
    response_model_exclude_unset=True,
    summary="Statistics of the regulator's subtree, grouped and filtered (JSON, CSV or XLSX)",
    description="Sums per group of the measures asked for (default: all). OUTSTANDING and "
    "OVERDUE are stocks as of now, dated by the month each financing was registered.",
    responses=_WHO | _FILES,
)
def stats(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    group_by: GroupBy = None,
    measure: Measures = None,
    scenario: Scenario = None,
    currency: Annotated[str | None, Query(max_length=3, examples=["USD"])] = None,
    trade_class: TradeClass = None,
    bank: QueryId | None = None,
    month_from: MonthFrom = None,
    month_to: MonthTo = None,
    jurisdiction: Code = None,
    fmt: Annotated[
        Literal["json", "csv", "xlsx"], Query(alias="format", description="the answer's form")
    ] = "json",
) -> Any:
    query = parse_query(
        group_by=group_by or (),
        measure=measure or (),
        scenario=scenario,
        currency=currency,
        trade_class=trade_class,
        bank=bank,
        month_from=month_from,
        month_to=month_to,
        jurisdiction=jurisdiction,
    )
    session = uow.session
    rows = figures(session, caller, query)
    if fmt != "json":
        return stats_file(query, rows, fmt)
    return StatsOut(
        jurisdiction=_division(scope_of(session, caller, query)),
        group_by=list(query.group_by),
        measures=[m.value for m in query.measures],
        month_from=query.month_from,
        month_to=query.month_to,
        rows=[StatsRowOut.model_validate(row) for row in rows],
    )


@router.get(
    "/stats/top-enterprises",
    response_model=TopOut,
    summary="The enterprises served most in USD (financed and paid) in the regulator's subtree",
    responses=_WHO,
)
def top(
    caller: ReplicaCallerDep,
    uow: ReplicaUow,
    scenario: Scenario = None,
    trade_class: TradeClass = None,
    bank: QueryId | None = None,
    month_from: MonthFrom = None,
    month_to: MonthTo = None,
    jurisdiction: Code = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> TopOut:
    query = parse_query(
        scenario=scenario,
        trade_class=trade_class,
        bank=bank,
        month_from=month_from,
        month_to=month_to,
        jurisdiction=jurisdiction,
    )
    items = top_enterprises(uow.session, caller, query, limit)
    return TopOut(
        jurisdiction=_division(scope_of(uow.session, caller, query)),
        month_from=query.month_from,
        month_to=query.month_to,
        items=[TopEnterpriseOut.model_validate(i) for i in items],
    )
