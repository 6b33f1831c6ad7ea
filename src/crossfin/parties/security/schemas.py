"""Outputs of security monitoring: events and operator alerts as the operator reads them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class SecurityEventOut(BaseModel):
    """One security event (docs/operations.md, "Security alerts", says what each kind means)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    at: datetime
    address: str | None = Field(description="The client's address, when known.")
    principal_id: int | None = Field(description="The principal concerned, when known.")
    key_id: str | None = Field(description="The API key's id (never the key), when known.")
    route: str | None
    detail: dict[str, Any]

    _detail = field_validator("detail", mode="before")(_json)


class SecurityEventPage(BaseModel):
    items: list[SecurityEventOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class SecurityAlertOut(BaseModel):
    """An operator alert: events of one kind past its threshold, counted while open."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str = Field(description="`open` or `acknowledged`.")
    events: int = Field(description="Events of this kind counted into the alert.")
    first_at: datetime
    last_at: datetime
    detail: dict[str, Any] = Field(description="The detail of the latest event counted.")
    acknowledged_by: int | None
    acknowledged_at: datetime | None

    _detail = field_validator("detail", mode="before")(_json)


class SecurityAlertPage(BaseModel):
    items: list[SecurityAlertOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )
