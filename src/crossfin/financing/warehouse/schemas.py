"""Request and answer bodies of F8 goods releases."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class GoodsReleaseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reference": "REL-0001", "quantity": "40"}]},
    )

    reference: str = Field(min_length=1, max_length=64)
    quantity: str = Field(min_length=1, max_length=40, description="in the receipt's unit")


class GoodsReleaseOut(BaseModel):
    id: int
    financing_id: int
    receipt_no: str
    reference: str
    quantity: str
    unit: str
    repaid: str
    currency: str
    created_at: datetime


class PledgeOut(BaseModel):
    """The pledged stock of an F8 financing: what repayment covers and what is left."""

    financing_id: int
    receipt_no: str
    unit: str
    pledged: str  # the receipt's quantity
    releasable: str  # pledged x repaid / amount
    released: str  # the sum of the releases so far
    still_pledged: str
    stock_on_hand: str  # the receipt's quantity plus movements in, minus movements out
    releases: list[GoodsReleaseOut]
