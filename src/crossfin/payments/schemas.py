"""Inputs and outputs of payments (pydantic v2); amounts travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import IsoDate, RowId
from crossfin.payments.funds import SourceOfFunds

_AMOUNT = r"^\d{1,15}(\.\d{1,4})?$"
_INVOICE = "25442000000123456789"


class PayeeIn(BaseModel):
    """The overseas payee: a name, its country (ISO 3166 alpha-2), an account or a BIC."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=140)
    country: str = Field(min_length=2, max_length=2)
    account: str | None = Field(default=None, min_length=1, max_length=34)
    bic: str | None = Field(default=None, min_length=1, max_length=11)


class InvoiceClaimIn(BaseModel):
    """One document the payment uses, with what the bank was shown of it (`fields`).

    The claim must name the document's value fields (verification's rule); a class-B
    payer's claims must name every required field (full documents).
    """

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(default="vat_invoice", min_length=1, max_length=32)
    key: str = Field(min_length=1, max_length=64)
    fields: dict[str, Annotated[str, Field(max_length=200)]] = Field(
        default_factory=dict, max_length=30
    )


class PaymentIn(BaseModel):
    """A payment a bank submits (the maker); it uses its documents at once."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "scenario": "P2",
                    "external_ref": "SVC-2026-000042",
                    "payer_uscc": "91440300MA5DC6QX9C",
                    "payee": {"name": "Acme Consulting GmbH", "country": "DE", "bic": "DEUTDEFF"},
                    "amount": "60000.00",
                    "currency": "USD",
                    "purpose_code": "228010",
                    "documents": [
                        {
                            "kind": "tax_filing",
                            "key": "4403002600000017",
                            "fields": {"verification_code": "A1B2C3D4"},
                        }
                    ],
                    "fx_rates": {"USD/CNY": "7.10"},
                },
                {
                    "scenario": "P3",
                    "external_ref": "FRT-2026-000123",
                    "payer_uscc": "91440300MA5DC6QX9C",
                    "payee": {
                        "name": "Maersk A/S",
                        "country": "DK",
                        "account": "DK5000400440116243",
                        "bic": "DABADKKK",
                    },
                    "amount": "1200.00",
                    "currency": "USD",
                    "value_date": "2026-12-04",
                    "purpose_code": "121010",
                    "documents": [
                        {
                            "kind": "vat_invoice",
                            "key": _INVOICE,
                            "fields": {"amount": "8000.00", "tax_amount": "480.00"},
                        }
                    ],
                    "fx_rates": {"USD/CNY": "7.10"},
                },
            ]
        },
    )

    scenario: str = Field(default="P3", min_length=2, max_length=2)
    external_ref: str = Field(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
    payer_uscc: str = Field(min_length=18, max_length=18)
    payee: PayeeIn
    amount: str = Field(pattern=_AMOUNT)
    currency: str = Field(min_length=3, max_length=3)
    value_date: IsoDate | None = None
    purpose_code: str = Field(default="121010", min_length=1, max_length=8, pattern=r"^\w+$")
    # P3 takes 1 to 100 invoices; P2 at most one tax filing (none at or below its threshold).
    documents: list[InvoiceClaimIn] = Field(default_factory=list, max_length=100)
    fx_rates: dict[str, Annotated[str, Field(max_length=40)]] = Field(
        default_factory=dict, max_length=10
    )
    source_of_funds: SourceOfFunds | None = Field(
        default=None, description="P1 only, required there: capital, foreign_debt, listing_proceeds"
    )


class ReasonIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "payee bank returned it"}]}
    )

    reason: str = Field(min_length=1, max_length=500)


class ApproveIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"comment": "invoices checked"}]}
    )

    comment: str | None = Field(default=None, max_length=500)


class PaymentUseOut(BaseModel):
    kind: str
    key: str
    used: str
    currency: str
    active: bool


class PaymentOut(BaseModel):
    id: RowId
    scenario: str
    external_ref: str
    state: str
    bank_org_id: int
    payer_org_id: int
    payer_uscc: str | None
    trade_class: str
    treatment: str
    payee: PayeeIn
    amount: str
    currency: str
    usd_equivalent: str
    usd_rate: str | None
    usd_rate_source: str | None
    value_date: date
    purpose_code: str
    documents: list[PaymentUseOut]
    created_at: datetime


class PaymentPage(BaseModel):
    items: list[PaymentOut]
    next_after: int | None


class UploadRowOut(BaseModel):
    row: int
    external_ref: str | None
    invoice: str | None
    outcome: str  # submitted | refused | invalid
    status: int
    problem: str | None = None
    detail: str | None = None
    payment_id: int | None = None


class UploadOut(BaseModel):
    rows: int
    submitted: int
    refused: int
    invalid: int
    results: list[UploadRowOut]


class ScopeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"codes": ["450700"], "reason": "pilot: Qinzhou port city only"}]
        },
    )

    codes: list[Annotated[str, Field(min_length=6, max_length=6)]] = Field(max_length=100)
    reason: str = Field(min_length=1, max_length=500)


class GateChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=2, max_length=2)
    trade_class: str = Field(min_length=1, max_length=1)
    treatment: str = Field(min_length=1, max_length=16)


class GatesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "changes": [{"scenario": "P3", "trade_class": "B", "treatment": "refused"}],
                    "reason": "freight pilot limited to class A for Q1",
                }
            ]
        },
    )

    changes: list[GateChangeIn] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=500)


class GatesOut(BaseModel):
    version: int
    rules: dict[str, dict[str, str]]


class ThresholdIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"amount": "50000.00", "reason": "SAFE: USD 50,000 per single payment"}]
        },
    )

    amount: str = Field(
        pattern=_AMOUNT, description="USD equivalent above which documents are needed"
    )
    reason: str = Field(min_length=1, max_length=500)


class ThresholdOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"scenario": "P2", "version": 1, "usd": "50000.00"}]}
    )

    scenario: str
    version: int
    usd: str


# -- P1 samples and review tasks ----------------------------------------------------------


class SampleRateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"rate_bp": 500, "reason": "5 % for 2027"}]},
    )

    # Strict: JSON `false` is not a rate of 0.
    rate_bp: int = Field(
        strict=True, ge=0, le=10_000, description="basis points of 10,000 (500 = 5 %)"
    )
    reason: str = Field(min_length=1, max_length=500)


class SampleRateOut(BaseModel):
    version: int
    rate_bp: int


class SampleOut(BaseModel):
    id: RowId
    rule: str
    checkpoint_size: int
    checkpoint_root: str  # base64, as in the checkpoint text
    checkpoint_note: str  # the signed checkpoint, cosignatures included
    previous_size: int
    rate_bp: int
    rate_version: int
    candidates: list[int]
    selected: list[int]
    drawn_at: datetime


class SamplePage(BaseModel):
    items: list[SampleOut]
    next_after: int | None


class PaperOut(BaseModel):
    id: RowId
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ReviewTaskOut(BaseModel):
    id: RowId
    sample_id: int
    payment_id: int
    bank_org_id: int
    reviewing_org_id: int | None = Field(
        None,
        description="The office that reviews it: the payer's county's dispatched office, else "
        "its prefecture's, province's or head office regulator (read when answered).",
    )
    reviewing_office: str | None = Field(None, description="That office's name.")
    state: str
    outcome: str | None
    note: str | None
    papers: list[PaperOut]
    created_at: datetime
    updated_at: datetime


class ReviewTaskPage(BaseModel):
    items: list[ReviewTaskOut]
    next_after: int | None


class PaperIn(BaseModel):
    """One supporting paper: PDF, PNG or JPEG, at most 1 MiB, base64 in `content`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    media_type: str = Field(min_length=1, max_length=64)
    content: str = Field(min_length=1, max_length=1_400_000, description="base64")


class PapersIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "files": [
                        {
                            "name": "board-resolution.pdf",
                            "media_type": "application/pdf",
                            "content": "JVBERi0xLjQKJSVFT0YK",
                        }
                    ]
                }
            ]
        },
    )

    files: list[PaperIn] = Field(min_length=1, max_length=5)


class ReviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"outcome": "compliant", "note": "contract and invoices agree"}]
        },
    )

    outcome: Literal["compliant", "non_compliant"]
    note: str = Field(min_length=1, max_length=500)
