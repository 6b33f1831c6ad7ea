"""Inputs and outputs of the parties domain (pydantic v2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from crossfin.core.fields import RowId
from crossfin.parties.models import EnterpriseSize, OrgKind, PrincipalKind, Role, TradeClass


class OrgIn(BaseModel):
    """A new organization; which identifiers are required depends on its kind."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "enterprise",
                    "name": "Shenzhen Lotus Electronics Co., Ltd.",
                    "name_zh": "深圳莲花电子有限公司",
                    "uscc": "91440300MA5DC6QX9C",
                    "jurisdictions": ["440305"],
                    "size": "small",
                }
            ]
        },
    )

    kind: OrgKind
    name: str = Field(min_length=1, max_length=200)
    name_zh: str | None = Field(default=None, max_length=200)
    uscc: str | None = None
    bic: str | None = None
    customs_code: str | None = None
    jurisdictions: list[str] = Field(default_factory=list, max_length=200)
    trade_class: TradeClass | None = None
    # Enterprises only: micro, small, medium or large (the SME share of the statistics).
    size: EnterpriseSize | None = None
    parent_org_id: RowId | None = Field(
        default=None,
        description="A dispatched office's parent regulator (a regulator seated at a county), "
        "or a bank branch's head office (a bank that is no branch itself).",
    )


class OrgOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: OrgKind
    name: str
    name_zh: str | None
    uscc: str | None
    bic: str | None
    customs_code: str | None
    jurisdiction: str | None = Field(validation_alias="jurisdiction_code")
    trade_class: TradeClass | None
    size: EnterpriseSize | None = None
    serves: list[str] = Field(default_factory=list)
    parent_org_id: int | None = None
    created_at: datetime


class TradeClassIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"trade_class": "B", "reason": "two late export receipts in 2026"}]
        },
    )

    trade_class: TradeClass
    reason: str = Field(min_length=1, max_length=500)


class UserIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "lotus.clerk",
                    "role": "operator",
                    "password": "correct horse battery",
                    "email": "clerk@lotus.example.cn",
                }
            ]
        },
    )

    username: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    role: Role
    password: str = Field(min_length=10, max_length=200)
    # Where notifications are mailed (checked by parties.emails); none: the inbox only.
    email: str | None = Field(default=None, max_length=254)


class EmailIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "clerk@lotus.example.cn"}]}
    )

    # None clears the address: notifications then reach the portal inbox only.
    email: str | None = Field(max_length=254)


class ServiceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "loan-system", "role": "operator"}]},
    )

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    role: Role


class PrincipalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    kind: PrincipalKind
    name: str
    role: Role
    email: str | None = None
    active: bool
    created_at: datetime


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"principal_id": 7}]})

    principal_id: RowId


class KeyOut(BaseModel):
    id: str
    principal_id: int
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class IssuedKey(KeyOut):
    key: str = Field(description="The whole key, shown once: store it now.")


class JurisdictionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    parent: str | None = Field(validation_alias="parent_code")
    level: str
    name_zh: str
    name_en: str
    # The edition that dropped the division, and who took over; None while it is current.
    retired: str | None = None
    successor: str | None = Field(default=None, validation_alias="successor_code")
