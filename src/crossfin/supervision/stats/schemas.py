"""What `GET /v1/stats` and `GET /v1/stats/top-enterprises` answer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DivisionOut(BaseModel):
    code: str = Field(examples=["440300"])
    name_zh: str = Field(examples=["深圳市"])
    name_en: str = Field(examples=["Shenzhen"])


class BankOut(BaseModel):
    id: int
    name: str


class FigureOut(BaseModel):
    count: int = Field(description="How many records (for outstanding, overdue: loans now).")
    usd: str = Field(description="USD equivalent, at each record's own rate.", examples=["1250.00"])
    amount: str | None = Field(
        description="In the row's currency, when the query groups or filters by currency; "
        "never summed across currencies (null otherwise).",
        examples=[None],
    )


class StatsRowOut(BaseModel):
    """One group: the dimensions asked for (only those), the measures, enterprises served."""

    model_config = ConfigDict(populate_by_name=True)

    province: DivisionOut | None = None
    prefecture: DivisionOut | None = None
    county: DivisionOut | None = None
    month: str | None = Field(None, examples=["2026-03"])
    scenario: str | None = Field(None, examples=["F1"])
    currency: str | None = Field(None, examples=["USD"])
    trade_class: str | None = Field(None, alias="class", examples=["A"])
    bank: BankOut | None = None
    measures: dict[str, FigureOut] = Field(description="Per measure asked for.")
    enterprises: int | None = Field(
        None, description="Distinct enterprises served (not when grouped or filtered by currency)."
    )
    sme_share: float | None = Field(
        None, description="Served enterprises sized micro/small/medium over those of known size."
    )


class StatsOut(BaseModel):
    jurisdiction: DivisionOut = Field(description="The subtree the figures cover.")
    group_by: list[str]
    measures: list[str]
    month_from: str | None = Field(serialization_alias="from")
    month_to: str | None = Field(serialization_alias="to")
    rows: list[StatsRowOut]


class TopEnterpriseOut(BaseModel):
    org_id: int
    name: str
    name_zh: str | None
    uscc: str | None
    records: int = Field(description="Financings registered and payments facilitated.")
    usd: str = Field(description="Their USD equivalent.", examples=["98000.00"])


class TopOut(BaseModel):
    jurisdiction: DivisionOut
    month_from: str | None = Field(serialization_alias="from")
    month_to: str | None = Field(serialization_alias="to")
    items: list[TopEnterpriseOut]
