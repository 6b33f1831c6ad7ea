"""Pydantic inputs and outputs of filings (API and CLI alike)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CODE = r"^[A-Z0-9][A-Z0-9-]{0,31}$"
PERIOD = r"^\d{4}(-(0[1-9]|1[0-2])|-?Q[1-4])?$"
TEXT_MAX = 4000


class System(StrEnum):
    RISK_REPORT = "risk_report"
    STATISTICS = "statistics"
    LICENCE = "licence"


class ClockStart(StrEnum):
    """What starts a filing's deadline clock."""

    CREATED = "created"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    GIVEN = "given"  # the filer names the date (a risk report: the discovery date)
    PERIOD_END = "period_end"  # the last day of the filing's period (statistics)


class FormIn(BaseModel):
    """A form definition to load (or replace, while no filing uses it)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=CODE, examples=["EAL-M1"])
    version: int = Field(ge=1, le=10_000)
    system: System
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    definition: dict[str, Any] = Field(
        description="Whatever the system's content schema needs (stored opaque, digested); "
        "`required` lists the content's required top-level fields.",
        examples=[{"required": ["period", "tables"]}],
    )
    media_types: list[str] = Field(default_factory=list, max_length=50)
    # At most 32 MiB: the API's body limit for an attachment (api/limits.py).
    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, le=32 * 1024 * 1024)
    max_count: int = Field(default=10, ge=0, le=1000)
    deadline_days: int | None = Field(default=None, ge=1, le=1000)
    clock_starts: ClockStart = ClockStart.SUBMITTED
    effective_from: date


class FormOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    version: int
    system: str
    name_zh: str
    name_en: str
    definition: dict[str, Any]
    definition_sha256: str
    media_types: list[str]
    max_bytes: int
    max_count: int
    deadline_days: int | None
    clock_starts: str
    effective_from: date


class FilingIn(BaseModel):
    """A new draft: the form (its newest version in force unless named), the content."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"form": "EAL-M1", "period": "2026-11", "content": {"period": "2026-11"}}]
        },
    )

    form: str = Field(pattern=CODE, examples=["EAL-M1"])
    form_version: int | None = Field(default=None, ge=1, le=10_000)
    period: str | None = Field(default=None, pattern=PERIOD, examples=["2026-11"])
    jurisdiction: str | None = Field(
        default=None,
        pattern=r"^\d{6}$",
        description="GB/T 2260 code of whose regulators supervise the filing; default the "
        "filer's seat (a bank serving one node: that node).",
    )
    clock_started: date | None = Field(
        default=None,
        description="The date that starts the clock, for forms whose clock is `given`.",
    )
    content: dict[str, Any] = Field(examples=[{"period": "2026-11", "tables": {}}])


class SubmitIn(BaseModel):
    """Submission or resubmission: new content (a new version) if given, and explanations
    of the warnings, by location."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"explanations": {"T1/R010/C03": "A one-off repayment this month"}}]
        },
    )

    content: dict[str, Any] | None = None
    explanations: dict[str, str] = Field(default_factory=dict, max_length=1000)


class ReasonIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Attach the contract."}]}
    )

    reason: str = Field(min_length=1, max_length=TEXT_MAX, examples=["Attach the contract."])


class NoteIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "Reviewing the narrative."}]}
    )

    note: str | None = Field(default=None, max_length=TEXT_MAX)


class OutcomeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"outcome": "approved", "reasons": "Complete."}]},
    )

    outcome: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", examples=["approved"])
    reasons: str | None = Field(default=None, max_length=TEXT_MAX)


class DeadlineOut(BaseModel):
    due: date | None
    working_days_left: int | None
    overdue: bool
    paused: bool


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    content: dict[str, Any]
    content_sha256: str
    explanations: dict[str, str]
    principal_name: str | None
    created_at: datetime


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    from_state: str | None
    to_state: str
    org_id: int | None
    principal_name: str | None
    note: str | None
    event_id: str
    created_at: datetime


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    name: str
    media_type: str
    size: int
    sha256: str
    material: str | None = None
    created_at: datetime


class FilingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    form_code: str
    form_version: int
    filer_org_id: int
    chain_org_id: int
    jurisdiction_path: str
    period: str | None
    state: str
    current_version: int
    acknowledgement: str | None
    verification_code: str | None = None
    outcome: str | None
    reasons: str | None
    deadline: DeadlineOut | None = None
    created_at: datetime
    updated_at: datetime


class FilingDetailOut(FilingOut):
    versions: list[VersionOut]
    steps: list[StepOut]
    attachments: list[AttachmentOut]


class FilingPage(BaseModel):
    items: list[FilingOut]
    next_after: int | None
