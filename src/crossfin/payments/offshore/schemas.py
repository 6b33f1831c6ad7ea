"""P4's input (pydantic v2): what the bank submits. Its answer, the report, is a plain
JSON object whose shape is the contract with the PDF renderer (docs/payments.md, "P4")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_AMOUNT = r"^\d{1,15}(\.\d{1,4})?$"

EXAMPLE: dict[str, Any] = {
    "external_ref": "OFF-2026-0001",
    "enterprise_uscc": "91440300MA5DC6QX9C",
    "contract": {
        "number": "SC-2026-118",
        "amount": "1020000.00",
        "currency": "EUR",
        "buyer": {"name": "Lion City Trading Pte Ltd", "country": "SG"},
        "seller": {"name": "Rhein Maschinen GmbH", "country": "DE"},
    },
    "bill_of_lading": "BDCL2611001",
    "declaration": "26DE000000123456A1",
    "containers": ["APZU4812090"],
    "goods": {
        "hs_code": "845961",
        "description": "CNC milling machines",
        "quantity": "12",
        "unit": "PCE",
        "gross_weight_kg": "18400",
    },
}


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")


class ContractIn(BaseModel):
    """The offshore contract: the enterprise buys from `seller` and resells to `buyer`."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=64)
    amount: str = Field(pattern=_AMOUNT, description="decimal string")
    currency: str = Field(min_length=3, max_length=3)
    buyer: PartyIn
    seller: PartyIn


class GoodsIn(BaseModel):
    """The goods as the contract sells them; compared with the overseas declaration."""

    model_config = ConfigDict(extra="forbid")

    hs_code: str = Field(min_length=6, max_length=13)
    description: str | None = Field(default=None, min_length=1, max_length=200)
    quantity: str | None = Field(default=None, max_length=20)
    unit: str | None = Field(default=None, max_length=3, description="UN/ECE Rec. 20")
    gross_weight_kg: str | None = Field(default=None, max_length=20)


class CheckIn(BaseModel):
    """A P4 check a bank submits: the contract, the B/L, the overseas declaration and the
    containers (ISO 6346). The platform finds the carrier's events itself."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    external_ref: str = Field(min_length=1, max_length=64)
    enterprise_uscc: str = Field(min_length=18, max_length=18)
    contract: ContractIn
    bill_of_lading: str = Field(min_length=1, max_length=64, description="the B/L number")
    declaration: str = Field(
        min_length=1, max_length=64, description="the overseas declaration's number"
    )
    containers: list[str] = Field(min_length=1, max_length=100)
    goods: GoodsIn | None = None
