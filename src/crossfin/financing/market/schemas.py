"""Inputs and outputs of matchmaking (F7), credit queries (F2) and FX rates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import IsoDate

_AMOUNT = r"^\d{1,15}(\.\d{1,4})?$"
_RATE = r"^\d{1,3}(\.\d{1,6})?$"


class DocumentRefIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=32)
    key: str = Field(min_length=1, max_length=64)


class NeedIn(BaseModel):
    """An enterprise's financing need, published to the banks serving its jurisdiction."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": "500000.00",
                    "currency": "USD",
                    "tenor_days": 90,
                    "purpose": "working capital for Q1 shipments to Rotterdam",
                    "documents": [{"kind": "customs_declaration", "key": "530120260000012345"}],
                }
            ]
        },
    )

    amount: str = Field(pattern=_AMOUNT)
    currency: str = Field(min_length=3, max_length=3)
    tenor_days: int = Field(ge=1, le=3650)
    purpose: str = Field(min_length=1, max_length=500)
    documents: list[DocumentRefIn] = Field(min_length=1, max_length=100)
    expires_on: IsoDate | None = Field(
        default=None,
        description="the need's last day for offers; at most the F7 need_validity_days "
        "from today (the default)",
    )


class NeedOut(BaseModel):
    id: int
    enterprise_org_id: int
    enterprise_name: str | None = None
    amount: str
    currency: str
    tenor_days: int
    purpose: str
    documents: list[dict[str, Any]]
    status: str  # "expired": open, but past expires_on
    accepted_offer_id: int | None
    expires_on: date
    offers: int = 0
    created_at: datetime
    updated_at: datetime


class OfferIn(BaseModel):
    """A bank's offer on a need."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": "450000.00",
                    "currency": "USD",
                    "rate": "4.10",
                    "tenor_days": 90,
                    "note": "subject to the usual covenants",
                }
            ]
        },
    )

    amount: str = Field(pattern=_AMOUNT)
    currency: str = Field(min_length=3, max_length=3)
    rate: str = Field(pattern=_RATE, description="annual interest rate in percent")
    tenor_days: int = Field(ge=1, le=3650)
    note: str | None = Field(default=None, max_length=500)


class OfferOut(BaseModel):
    id: int
    need_id: int
    bank_org_id: int
    bank_name: str | None = None
    amount: str
    currency: str
    rate: str
    tenor_days: int
    note: str | None
    status: str
    financing_id: int | None
    created_at: datetime
    updated_at: datetime


class AcceptIn(BaseModel):
    """Accepting an offer opens a registered financing; FX rates if currencies differ."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{}, {"fx_rates": {"USD/CNY": "7.1123"}}]}
    )

    fx_rates: dict[str, str] = Field(default_factory=dict, max_length=20)
    due_date: IsoDate | None = Field(
        default=None,
        description="optional: must equal today + the offer's tenor_days, which sets it",
    )


class WithdrawIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "financed elsewhere"}]}
    )

    reason: str | None = Field(default=None, max_length=500)


class CreditQueryIn(BaseModel):
    """A bank asks for an enterprise's credit profile under the enterprise's consent."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"enterprise_uscc": "91440300MA5DC6QX9C", "purpose": "credit line review 2026"}
            ]
        },
    )

    enterprise_uscc: str = Field(min_length=18, max_length=18)
    purpose: str | None = Field(default=None, max_length=200)


class CreditQueryOut(BaseModel):
    id: int
    bank_org_id: int
    bank_name: str | None
    enterprise_org_id: int
    enterprise_uscc: str | None
    consent_id: int | None
    purpose: str | None
    profile_digest: str
    queried_at: datetime


class FxRateOut(BaseModel):
    date: date
    pair: str
    rate: str
