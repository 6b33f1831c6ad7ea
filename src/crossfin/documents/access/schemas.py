"""Inputs and outputs of the registry's access side: consent, reading, verify, fingerprints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import IsoDateTime, RowId
from crossfin.documents.access.fingerprint_norm import PaperFields

_CONSENT_EXAMPLE: dict[str, Any] = {
    "bank_bic": "BKCHCNBJ",
    "scopes": ["customs_declaration", "credit_profile"],
    "expires_at": "2027-06-30T00:00:00Z",
    "purpose": "export receivables financing 2026",
}


class ConsentIn(BaseModel):
    """A consent to one bank, named by id or BIC; expiry required (at most 366 days)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                _CONSENT_EXAMPLE,
                {
                    "bank_org_id": 7,
                    "scopes": ["vat_invoice"],
                    "expires_at": "2026-12-31T23:59:59+08:00",
                },
            ]
        },
    )

    bank_org_id: RowId | None = None
    bank_bic: str | None = Field(default=None, min_length=8, max_length=11)
    scopes: list[str] = Field(min_length=1, max_length=20)
    expires_at: IsoDateTime
    purpose: str | None = Field(default=None, max_length=200)


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_org_id: int
    bank_org_id: int
    scopes: list[str]
    purpose: str | None
    granted_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: str


class DocumentOut(BaseModel):
    """A document as its readers see it (content only when they may read it)."""

    kind: str
    key: str
    version: int
    owner_uscc: str
    source_org_id: int
    value: str | None
    currency: str | None
    single_use: bool
    remaining: str | None = None
    created_at: datetime
    updated_at: datetime
    content: dict[str, Any] | None = None


class VerifyItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=32)
    key: str = Field(min_length=1, max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict, max_length=40)


class VerifyIn(BaseModel):
    """Up to 10,000 claims: what the bank was shown of each document."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "kind": "customs_declaration",
                            "key": "531620260000012345",
                            "fields": {
                                "total_value": "125000.00",
                                "currency": "USD",
                                "export_date": "2026-03-02",
                                "buyer_country": "DE",
                            },
                        },
                        {
                            "kind": "vat_invoice",
                            "key": "26442000000012345678",
                            "fields": {"amount": "80000.00", "tax_amount": "10400.00"},
                        },
                    ]
                }
            ]
        },
    )

    items: list[VerifyItemIn] = Field(min_length=1, max_length=10_000)


class PaperFieldsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_type: str = Field(default="commercial_invoice", min_length=1, max_length=40)
    number: str = Field(min_length=1, max_length=100)
    seller: str = Field(min_length=1, max_length=200)
    buyer: str = Field(min_length=1, max_length=200)
    amount: str = Field(min_length=1, max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    issue_date: date

    def paper(self) -> PaperFields:
        return PaperFields(**self.model_dump())


class FingerprintIn(BaseModel):
    """A paper's key fields, or a UBL 2.x Invoice to take them from; `register` stores it."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "fields": {
                        "document_type": "commercial_invoice",
                        "number": "INV-2026-000417",
                        "seller": "Shenzhen Lotus Electronics Co., Ltd.",
                        "buyer": "Hanseatic Import GmbH",
                        "amount": "48250.00",
                        "currency": "USD",
                        "issue_date": "2026-03-02",
                    },
                    "register": True,
                },
                {
                    "ubl": '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"'
                    " ...>...</Invoice>",
                    "register": False,
                },
            ]
        },
    )

    fields: PaperFieldsIn | None = None
    ubl: str | None = Field(default=None, max_length=2_000_000)
    # "register" on the wire; the attribute name avoids BaseModel.register.
    store: bool = Field(default=False, alias="register")
