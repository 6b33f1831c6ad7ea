"""Each scenario's caps (one pydantic model per scenario) and the loading format."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# A share of a value: 0 < r <= 1, at most four decimals.
Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4)]
Days = Annotated[int, Field(ge=1, le=3650)]


class CapsParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class F1Caps(CapsParams):
    """Export receivables: the share of each declaration's value a loan may use, and
    the oldest export date (in days before the financing's date) it accepts."""

    advance_ratio: Share
    max_declaration_age_days: Days


class F4Caps(CapsParams):
    """Policy financing: the highest advance ratio whatever the policy's coverage_ratio
    says, and the longest tenor (due date minus the financing's date)."""

    max_advance_ratio: Share
    max_tenor_days: Days


class F5Caps(CapsParams):
    """Logistics: the share of a valued B/L's or warehouse receipt's value pledged."""

    pledge_ratio: Share


class F3Caps(CapsParams):
    """Import cash-on-delivery: the share of each import declaration's value a loan may
    use, and the oldest import date (days before the financing's date) it accepts."""

    advance_ratio: Share
    max_declaration_age_days: Days


class F6Caps(CapsParams):
    """China-Europe Railway Express: the share of a valued consignment note's value
    pledged, and the oldest acceptance date (days before the financing's date)."""

    pledge_ratio: Share
    max_note_age_days: Days


class F8Caps(CapsParams):
    """Port cloud warehouse: the share of the receipt's valuation a loan may take, and
    the loan-to-value (outstanding / current valuation) above which a revaluation
    raises an alert and tells the bank."""

    advance_ratio: Share
    max_ltv: Share


class F7Caps(CapsParams):
    """Matchmaking: how long a need stays open by default, and at most."""

    need_validity_days: Annotated[int, Field(ge=1, le=366)]


PARAMS: dict[str, type[CapsParams]] = {
    "F1": F1Caps,
    "F3": F3Caps,
    "F4": F4Caps,
    "F5": F5Caps,
    "F6": F6Caps,
    "F7": F7Caps,
    "F8": F8Caps,
}


class CapsIn(BaseModel):
    """One version of one scenario's caps, as `crossfin scenarios caps set` reads it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "scenario": "F1",
                    "version": 2,
                    "effective_from": "2026-11-01",
                    "params": {"advance_ratio": "0.80", "max_declaration_age_days": 180},
                }
            ]
        },
    )

    scenario: str = Field(min_length=2, max_length=8)
    version: int = Field(ge=1, le=1_000_000)
    effective_from: date
    params: dict[str, Any]


class CapsOut(BaseModel):
    scenario: str
    version: int | None  # None: the shipped defaults, no version loaded yet
    source: str  # "loaded" or "shipped"
    effective_from: date
    params: dict[str, Any]
    params_sha256: str


class CapsListOut(BaseModel):
    """What `GET /v1/scenario-caps` answers: what is in force on `on`, and every version."""

    on: date
    in_force: list[CapsOut]
    versions: list[CapsOut]
