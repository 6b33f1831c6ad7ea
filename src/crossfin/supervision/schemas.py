"""Inputs and outputs of the supervision domain: alerts, their rules, cases."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from crossfin.supervision.links import link_of


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class EvidenceOut(BaseModel):
    """One record that raised the alert, with where to read it."""

    type: str = Field(description="financing, payment, document, attempt, alert, event...")
    id: int | str
    label: str
    href: str | None = Field(None, description="The API path of the record, if it has one.")


class AlertOut(BaseModel):
    """One alert as a regulator reads it, with what raised it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject_org_id: int | None = Field(description="The enterprise concerned.")
    actor_org_id: int | None = Field(description="The party whose action raised it.")
    document_id: int | None
    details: dict[str, Any]
    status: str
    created_at: datetime
    records: list[EvidenceOut] = Field(description="The records that raised it.")
    rule: dict[str, Any] | None = Field(
        description="The rule that fired: kind, scope, version, params."
    )
    case_id: int | None = Field(description="The case working it, if one was opened.")

    @field_validator("details", "rule", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _json(value)

    @field_validator("records", mode="before")
    @classmethod
    def _records(cls, value: Any) -> Any:
        return [r | {"href": link_of(r, api=True)} for r in _json(value) or []]


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null at the end."
    )


class RuleOut(BaseModel):
    kind: str
    scope: str = Field(description="The jurisdiction code of the subtree it applies to.")
    version: int
    enabled: bool
    params: dict[str, Any] = Field(
        description="Thresholds and windows, and `opens_case`: whether an alert opens a case."
    )
    reason: str | None = Field(None, description="Why it changed (null for version 0).")
    changed_at: datetime | None = None
    changed_by_org_id: int | None = None
    changed_by: str | None = Field(None, description="The principal who changed it.")


class RuleIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "document-tried-at-many-banks",
                    "scope": "440300",
                    "enabled": True,
                    "params": {"banks": 2, "window_days": 14, "opens_case": True},
                    "reason": "Shenzhen pilot: two banks suffice",
                }
            ]
        },
    )

    kind: str = Field(max_length=48)
    scope: str = Field("000000", min_length=6, max_length=6, description="Jurisdiction code.")
    # Strict: a JSON 0 or "yes" is not a boolean, nor true a number (the description says so).
    enabled: StrictBool = True
    params: dict[str, StrictBool | StrictInt | StrictStr] = Field(default_factory=dict)
    reason: str = Field(max_length=500)


class OpenCaseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"due_date": "2026-12-31"}]}
    )

    due_date: date | None = Field(None, description="Default: 14 days from today.")


class AssignIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"principal_id": 24}]}
    )

    principal_id: StrictInt = Field(ge=1, le=2**31 - 1)


class MoveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "closed", "outcome": "warning_issued"}]},
    )

    to: str = Field(max_length=16, description="investigating or closed")
    outcome: str | None = Field(
        None, max_length=24, description="Closing: false_positive, warning_issued, referred."
    )


class NoteIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Asked bank 1 for its loan file."}]},
    )

    text: str = Field(min_length=1, max_length=2000)


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action: str
    detail: dict[str, Any]
    principal_name: str | None
    event_id: str
    created_at: datetime

    @field_validator("detail", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        return _json(value)


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject_org_id: int | None
    handling_org_id: int | None = Field(
        None,
        description="The office the case's county is routed to when it opened: the county's "
        "dispatched office, else the prefecture's, province's or head office regulator.",
    )
    state: str
    outcome: str | None
    assignee_principal_id: int | None
    due_date: date
    overdue: bool = Field(False, description="Not closed and past its due date.")
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class CaseDetailOut(CaseOut):
    alerts: list[AlertOut]
    steps: list[StepOut]


class CasePage(BaseModel):
    items: list[CaseOut]
    next_after: int | None
