"""Outputs of the supervision domain."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AlertOut(BaseModel):
    """One alert as a regulator reads it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject_org_id: int | None = Field(description="The enterprise concerned.")
    actor_org_id: int | None = Field(description="The party whose action raised it.")
    document_id: int | None
    details: dict[str, Any]
    status: str
    created_at: datetime

    @field_validator("details", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )
