"""`GET /v1/scenario-caps`: the scenarios' caps, for any authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crossfin.core.clock import business_date
from crossfin.core.errors import invalid
from crossfin.core.fields import IsoDate
from crossfin.financing.caps.schemas import PARAMS, CapsListOut
from crossfin.financing.caps.store import all_in_force, list_caps
from crossfin.parties.http import CallerDep, ReadUow

router = APIRouter(prefix="/v1", tags=["financing"])


@router.get(
    "/scenario-caps",
    response_model=CapsListOut,
    summary="The scenarios' caps in force on a date, and every loaded version",
)
def scenario_caps(
    caller: CallerDep,
    uow: ReadUow,
    scenario: Annotated[str | None, Query(max_length=8)] = None,
    on: Annotated[IsoDate | None, Query(description="default: today")] = None,
) -> CapsListOut:
    if scenario is not None and scenario not in PARAMS:
        raise invalid("scenario", f"no caps for {scenario!r}; known: {', '.join(sorted(PARAMS))}")
    day = on or business_date()
    return CapsListOut(
        on=day,
        in_force=[c.out() for c in all_in_force(uow.session, day, scenario)],
        versions=[c.out() for c in list_caps(uow.session, scenario)],
    )
