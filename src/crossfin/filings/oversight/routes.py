"""HTTP routes of the regulator views: completeness and aggregates, JSON or CSV."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from crossfin.filings.oversight import export
from crossfin.filings.oversight.aggregates import AggregatesOut, By, aggregates
from crossfin.filings.oversight.completeness import CompletenessOut, completeness
from crossfin.filings.schemas import CODE, PERIOD
from crossfin.parties.http import CallerDep, ReadUow

router = APIRouter(prefix="/v1", tags=["filings"])
Form = Annotated[str, Query(pattern=CODE, examples=["EFAL-M"], description="the form's code")]
Period = Annotated[str, Query(pattern=PERIOD, examples=["2026-11"], description="the period")]
Jurisdiction = Annotated[
    str | None,
    Query(pattern=r"^\d{6}$", description="a division of the caller's subtree (default: its node)"),
]
Format = Annotated[Literal["json", "csv"], Query(description="the answer's form")]
_CSV = "text/csv; charset=utf-8"
_WHO: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    403: {
        "description": "Not a regulator (`/forbidden`), or a jurisdiction outside its subtree "
        "(`/outside-subtree`, naming `query.jurisdiction`)"
    },
    404: {"description": "`/not-found`: no form of this code"},
}


def csv_file(text: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text.encode(), media_type=_CSV, headers=headers)


@router.get(
    "/filings/completeness",
    response_model=CompletenessOut,
    responses=_WHO,
    summary="Who filed a form for a period in the regulator's subtree (regulators)",
)
def get_completeness(
    caller: CallerDep,
    uow: ReadUow,
    form: Form,
    period: Period,
    jurisdiction: Jurisdiction = None,
    format: Format = "json",
) -> Any:
    view = completeness(uow.session, caller, form, period, jurisdiction)
    if format == "csv":
        return csv_file(export.completeness_csv(view), f"completeness-{form}-{period}.csv")
    return view


@router.get(
    "/filings/aggregates",
    response_model=AggregatesOut,
    responses=_WHO | {422: {"description": "`/validation`: not a statistics form by country"}},
    summary="Sums of accepted statistics by child jurisdiction or country (regulators)",
)
def get_aggregates(
    caller: CallerDep,
    uow: ReadUow,
    form: Form,
    period: Period,
    by: By = By.JURISDICTION,
    jurisdiction: Jurisdiction = None,
    format: Format = "json",
) -> Any:
    view = aggregates(uow.session, caller, form, period, by, jurisdiction)
    if format == "csv":
        return csv_file(export.aggregates_csv(view), f"aggregates-{form}-{period}-{by.value}.csv")
    return view
