"""The insurer's claim record, in and out."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import IsoDate

_AMOUNT = r"^\d{1,15}(\.\d{1,4})?$"


class InsuranceClaimIn(BaseModel):
    """A claim the insurer paid on `policy_no`, assigned to the financing's bank."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "policy_no": "SIN-2026-000123",
                    "reference": "CLM-2026-0042",
                    "amount": "90000.00",
                    "currency": "USD",
                    "paid_on": "2026-11-20",
                }
            ]
        },
    )

    policy_no: str = Field(min_length=1, max_length=64)
    reference: str = Field(min_length=1, max_length=64)
    amount: str = Field(pattern=_AMOUNT)
    currency: str = Field(min_length=3, max_length=3)
    paid_on: IsoDate


class InsuranceClaimOut(BaseModel):
    id: int
    financing_id: int
    policy_no: str
    insurer_org_id: int
    assignee_bank_org_id: int
    reference: str
    amount: str
    currency: str
    paid_on: date
    created_at: datetime
