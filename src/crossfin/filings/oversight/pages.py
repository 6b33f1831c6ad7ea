"""Portal pages of the regulator views: completeness and aggregates (with ECharts drawn
by static/filings-charts.js from the page's JSON), and their CSV."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from crossfin.core.clock import business_date
from crossfin.core.web.i18n import N_, NC_
from crossfin.core.web.nav import NavEntry, kinds
from crossfin.core.web.render import language, render
from crossfin.filings.catalogue import list_forms
from crossfin.filings.oversight import export
from crossfin.filings.oversight.aggregates import By, aggregates
from crossfin.filings.oversight.completeness import Status, completeness
from crossfin.filings.oversight.routes import csv_file
from crossfin.filings.schemas import CODE, PERIOD
from crossfin.parties.models import OrgKind
from crossfin.parties.portal import PortalCallerDep
from crossfin.parties.portal_work import PortalReadUow

router = APIRouter()
NAV = [
    NavEntry(
        N_("Filing completeness"),
        "/filings/completeness",
        kinds(OrgKind.REGULATOR),
        order=46,
        description=N_("Who filed a form for a period, by institution and area."),
    ),
    NavEntry(
        N_("Statistics aggregates"),
        "/filings/aggregates",
        kinds(OrgKind.REGULATOR),
        order=47,
        description=N_("Accepted statistics summed by area and counterparty country."),
    ),
]
STATUSES = {
    Status.NOT_FILED.value: NC_("filing completeness", "Not filed"),
    Status.OVERDUE.value: NC_("filing completeness", "Overdue, not filed"),
    Status.SUBMITTED.value: NC_("filing completeness", "Submitted"),
    Status.ACCEPTED.value: NC_("filing completeness", "Accepted"),
    Status.LATE.value: NC_("filing completeness", "Filed late"),
}
FormCode = Annotated[str | None, Query(max_length=32, pattern=CODE)]
Period = Annotated[str | None, Query(max_length=7, pattern=PERIOD)]
Code = Annotated[str | None, Query(max_length=6, pattern=r"^\d{6}$")]
Format = Annotated[str | None, Query(pattern=r"^csv$")]


def _defaults(uow: Any, form: str | None, period: str | None) -> tuple[str, str, list[str]]:
    """The form and period asked, else the first statistics form and last month."""
    codes = sorted({f.code for f in list_forms(uow.session) if f.system == "statistics"})
    today = business_date()
    last = f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"
    return form or (codes[0] if codes else "EFAL-M"), period or last, codes


def _link(path: str, **params: str | None) -> str:
    return path + "?" + urlencode({k: v for k, v in params.items() if v})


@router.get("/filings/completeness", summary="Who filed a form for a period (regulators)")
def completeness_page(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    form: FormCode = None,
    period: Period = None,
    jurisdiction: Code = None,
    format: Format = None,
) -> Response:
    code, asked, codes = _defaults(uow, form, period)
    view = completeness(uow.session, caller, code, asked, jurisdiction)
    if format == "csv":
        return csv_file(export.completeness_csv(view), f"completeness-{code}-{asked}.csv")
    return render(
        request,
        "filings/completeness.html",
        {
            "v": view,
            "forms": codes,
            "statuses": STATUSES,
            "link": lambda **p: _link("/filings/completeness", form=code, period=asked, **p),
        },
    )


@router.get("/filings/aggregates", summary="Accepted statistics summed (regulators)")
def aggregates_page(
    request: Request,
    caller: PortalCallerDep,
    uow: PortalReadUow,
    form: FormCode = None,
    period: Period = None,
    by: By = By.JURISDICTION,
    jurisdiction: Code = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    format: Format = None,
) -> Response:
    code, asked, codes = _defaults(uow, form, period)
    view = aggregates(uow.session, caller, code, asked, by, jurisdiction)
    if format == "csv":
        return csv_file(export.aggregates_csv(view), f"aggregates-{code}-{asked}-{by.value}.csv")
    shown = currency if currency in view.currencies else _main_currency(view.currencies)
    groups = [g for g in view.groups if g.currency == shown]
    zh = language(request) == "zh"
    base = {"form": code, "period": asked, "currency": shown}
    hrefs = [
        _link("/filings/aggregates", by="jurisdiction", jurisdiction=g.key, **base)
        if by is By.JURISDICTION and g.key != view.jurisdiction
        else None
        for g in groups
    ]
    chart = {
        "names": [g.name_zh if zh else g.name_en for g in groups],
        "closing": [g.sums.get("CLS", "0") for g in groups],
        "flows": [g.sums.get("TRN", "0") for g in groups],
        "hrefs": hrefs,
    }
    return render(
        request,
        "filings/aggregates.html",
        {
            "v": view,
            "forms": codes,
            "shown": shown,
            "groups": groups,
            "chart": chart,
            "hrefs": hrefs,
            "link": lambda **p: _link("/filings/aggregates", **(base | {"by": by.value} | p)),
        },
    )


def _main_currency(currencies: list[str]) -> str | None:
    if "USD" in currencies:
        return "USD"
    return currencies[0] if currencies else None
