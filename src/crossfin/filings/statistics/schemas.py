"""Answers of the statistics endpoints (API and CLI alike)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from crossfin.filings.forms import Issue
from crossfin.filings.models import Filing
from crossfin.filings.schemas import TEXT_MAX, FilingDetailOut
from crossfin.filings.statistics.standing import Standing

FIRST_FILING = (
    "no accepted filing of the period before: continuity (opening = last closing) not checked"
)


class ContinuityOut(BaseModel):
    checked: bool = Field(description="False for a first filing: no accepted previous period")
    previous_filing: int | None
    previous_reference: str | None
    note: str | None = Field(examples=[FIRST_FILING])


class StandingOut(BaseModel):
    due: date | None
    late: bool = Field(description="first submitted after the due date")
    locked: bool = Field(description="past the deadline: late-correction approval needed")
    late_request: str | None = Field(description="pending | approved | refused")
    window_until: date | None = Field(description="last day of an approved correction window")


class CellIssueOut(BaseModel):
    location: str
    table: str | None
    row: dict[str, str] | None
    column: str | None
    rule: str
    severity: str
    message_en: str
    message_zh: str
    expected: str | None
    found: str | None


class UploadOut(BaseModel):
    filing: FilingDetailOut
    errors: int
    warnings: int
    issues: list[CellIssueOut]
    continuity: ContinuityOut
    standing: StandingOut


class StatisticsOut(BaseModel):
    filing_id: int
    reference: str
    period: str | None
    errors: int
    warnings: int
    issues: list[CellIssueOut]
    explanations: dict[str, str]
    continuity: ContinuityOut
    standing: StandingOut


class LateRequestIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "A booking error in A1."}]}
    )

    reason: str = Field(min_length=1, max_length=TEXT_MAX, examples=["A booking error in A1."])


class LateDecisionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "Approved once."}]}
    )

    note: str | None = Field(default=None, max_length=TEXT_MAX, examples=["Approved once."])


def issue_out(issue: Issue) -> CellIssueOut:
    return CellIssueOut(location=issue.where(), **issue.model_dump(exclude={"index"}))


def continuity_out(previous: Filing | None) -> ContinuityOut:
    if previous is None:
        return ContinuityOut(
            checked=False, previous_filing=None, previous_reference=None, note=FIRST_FILING
        )
    return ContinuityOut(
        checked=True, previous_filing=previous.id, previous_reference=previous.reference, note=None
    )


def standing_out(found: Standing) -> StandingOut:
    return StandingOut(
        due=found.due,
        late=found.late,
        locked=found.locked,
        late_request=found.late_request,
        window_until=found.window_until,
    )
