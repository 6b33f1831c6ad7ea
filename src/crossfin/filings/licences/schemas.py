"""Inputs and outputs of licensing (API, portal and CLI alike)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from crossfin.filings.schemas import TEXT_MAX, DeadlineOut, FilingDetailOut


class ExtendIn(BaseModel):
    """The one extension of the decision clock, with the approval that grants it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "Site inspection of the exchange counters needed",
                    "approver": "王强 (Deputy Director, SAFE Guangdong)",
                }
            ]
        },
    )

    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    approver: str = Field(min_length=1, max_length=200, description="Who approved it")


class MaterialOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    media_types: list[str]
    required: bool
    attachments: list[int] = Field(description="Ids of the attachments that are this material")


class ClocksOut(BaseModel):
    acceptance: DeadlineOut | None = Field(description="5 working days from submission")
    decision: DeadlineOut | None = Field(description="20 working days from acceptance (+10)")


class LicenceOut(FilingDetailOut):
    """A licence application: the filing, its materials and both clocks."""

    type_zh: str
    type_en: str
    materials: list[MaterialOut]
    clocks: ClocksOut
    extension_days: int = Field(description="Working days the extension grants (if approved)")
    review_started: date | None


class RegisterEntry(BaseModel):
    """One decision as the public register shows it: nothing else is public."""

    type: str = Field(examples=["LIC-FX-SETTLEMENT"])
    type_zh: str
    type_en: str
    holder: str
    holder_zh: str | None
    uscc: str | None
    decision: str = Field(examples=["approved"])
    decided_on: date
    verification_code: str = Field(examples=["LV-7KQ2-M9XD-3HTA"])
    reference: str


class RegisterPage(BaseModel):
    items: list[RegisterEntry]
    next_after: int | None = Field(description="Pass as `after` for the next page")
