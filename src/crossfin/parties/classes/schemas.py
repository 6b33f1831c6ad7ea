"""Inputs and outputs of class management (pydantic v2)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from crossfin.parties.models import TradeClass


class ClassIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "trade_class": "B",
                    "reason": "two late export receipts in the 2025 evaluation",
                    "effective_from": "2026-01-01",
                    "period": "2025",
                }
            ]
        },
    )

    trade_class: TradeClass
    reason: str = Field(min_length=1, max_length=500)
    effective_from: date | None = Field(
        default=None, description="From when the class applies; default: today (UTC+8)."
    )
    period: str | None = Field(
        default=None,
        max_length=32,
        description='The evaluation period: a year ("2025") or "2025-01-01/2025-12-31".',
    )


class ClassOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    trade_class: TradeClass
    effective_from: date
    period: str | None
    period_start: date | None
    period_end: date | None
    reason: str
    source: str
    decided_by_org_id: int | None
    recorded_at: datetime
    event_id: str | None


class ClassHistoryOut(BaseModel):
    org_id: int
    uscc: str | None
    name: str
    current: TradeClass = Field(description="The class in force today (UTC+8).")
    history: list[ClassOut] = Field(description="Newest in force first.")


class ImportRowOut(BaseModel):
    row: int
    uscc: str
    trade_class: str
    effective_from: str
    period: str
    outcome: str = Field(description="applied or rejected")
    errors: list[dict[str, str]]
    history_id: int | None
    event_id: str | None


class ImportOut(BaseModel):
    import_id: int
    rows: int
    applied: int
    rejected: int
    replayed: bool
    results: list[ImportRowOut]
