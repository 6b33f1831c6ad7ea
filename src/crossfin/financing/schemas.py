"""Inputs and outputs of financings (pydantic v2); amounts travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import IsoDate

_DECL = "530120260000012345"
_AMOUNT = r"^\d{1,15}(\.\d{1,4})?$"
_RATE = r"^\d{1,3}(\.\d{1,6})?$"


class DocumentShareIn(BaseModel):
    """One document a financing rests on; `amount` is its share of the loan (loan currency)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=32)
    key: str = Field(min_length=1, max_length=64)
    amount: str | None = Field(default=None, pattern=_AMOUNT)


class FinancingIn(BaseModel):
    """A financing application a bank registers (the maker); reserves the documents."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "scenario": "F1",
                    "external_ref": "LN-2026-000123",
                    "enterprise_uscc": "91440300MA5DC6QX9C",
                    "amount": "100000.00",
                    "currency": "USD",
                    "documents": [
                        {"kind": "customs_declaration", "key": _DECL, "amount": "100000.00"}
                    ],
                    "rate": "4.35",
                    "due_date": "2027-03-31",
                },
                {
                    "scenario": "F4",
                    "external_ref": "LN-2026-000124",
                    "enterprise_uscc": "91440300MA5DC6QX9C",
                    "amount": "700000.00",
                    "currency": "CNY",
                    "documents": [
                        {"kind": "insurance_policy", "key": "SIN-2026-0042"},
                        {"kind": "customs_declaration", "key": _DECL},
                    ],
                    "fx_rates": {"CNY/USD": "0.1389"},
                },
            ]
        },
    )

    scenario: str = Field(min_length=1, max_length=16)
    external_ref: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    enterprise_uscc: str = Field(min_length=18, max_length=18)
    amount: str = Field(pattern=_AMOUNT)
    currency: str = Field(min_length=3, max_length=3)
    documents: list[DocumentShareIn] = Field(min_length=1, max_length=100)
    fx_rates: dict[str, str] = Field(default_factory=dict, max_length=20)
    rate: str | None = Field(
        default=None, pattern=_RATE, description="annual interest rate in percent"
    )
    due_date: IsoDate | None = None


class ApproveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"comment": "documents verified, limits fine"}]},
    )

    comment: str | None = Field(default=None, max_length=500)


class ReasonIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "buyer outside our risk appetite"}]},
    )

    reason: str = Field(min_length=1, max_length=500)


class DisburseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"due_date": "2027-03-31", "value_date": "2026-12-01"}]},
    )

    due_date: IsoDate | None = None
    value_date: IsoDate | None = None


class RepayIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"amount": "25000.00", "value_date": "2027-01-15"}]},
    )

    amount: str = Field(pattern=_AMOUNT)
    value_date: IsoDate | None = None


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})

    comment: str | None = Field(default=None, max_length=500)


class UseOut(BaseModel):
    kind: str
    key: str
    role: str
    allocated: str
    reserved: str
    released: str
    currency: str
    active: bool
    fx_rate: str | None
    fx_source: str | None
    note: str | None


class FinancingOut(BaseModel):
    id: int
    external_ref: str
    scenario: str
    state: str
    overdue: bool
    overdue_since: date | None
    bank_org_id: int
    enterprise_org_id: int
    enterprise_uscc: str | None
    insurer_org_id: int | None
    amount: str
    currency: str
    disbursed: str
    repaid: str
    outstanding: str
    rate: str | None
    due_date: date | None
    reserved_until: datetime | None
    maker_principal_id: int | None
    approver_principal_id: int | None
    offer_id: int | None
    documents: list[UseOut]
    actions: list[str]
    change_seq: int
    created_at: datetime
    updated_at: datetime


class FinancingPage(BaseModel):
    items: list[FinancingOut]
    next_cursor: str | None


class BalanceOut(BaseModel):
    kind: str
    key: str
    currency: str
    # Only for callers entitled to the document; a bank that proved itself by a claim
    # already knows it and is not told.
    value: str | None
    remaining: str
    single_use: bool
    in_use: bool


class FxRateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: IsoDate
    pair: str = Field(pattern=r"^[A-Z]{3}/[A-Z]{3}$")
    rate: str = Field(min_length=1, max_length=40)


class FxRatesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rates": [
                        {"date": "2026-11-26", "pair": "USD/CNY", "rate": "7.1123"},
                        {"date": "2026-11-26", "pair": "EUR/CNY", "rate": "7.6410"},
                    ]
                }
            ]
        },
    )

    rates: list[FxRateIn] = Field(min_length=1, max_length=10_000)
