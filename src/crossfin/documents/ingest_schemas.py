"""Inputs and outputs of the registry's ingestion side: source keys, batches, amendments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

_VKEY = "customs-5316+1c4d7e2a+AUTrS1kPm0JDBzm6b9rR2pZsH0y2c8u5m6W1n0r3Qx6U"
_MANIFEST = ("crossfin.batch/v1\ncustoms_declaration\n2024-06-01-a\n2\n"
             "mFOQyXHRqu6Yx+lTqUnoxaVRsNJoYEYuWcbcQwOGPWs=\n\n"
             "\u2014 customs-5316 HN1+KvJ3D4b3ZxkqvH0hjZ8gN3mT0o8JtYgJW2Fq0VwY5lJQm7o5v"
             "0m3kX9F6tHkRZbN2yT6u5hRkR2y5xYk0dA5yC4A==\n")
_RECORD = {"declaration_no": "531620240123456789", "enterprise_uscc": "91440300MA5G0H6F1U",
           "buyer_name": "ACME Trading Inc.", "buyer_country": "US", "currency": "USD",
           "total_value": "11800.00", "export_date": "2024-05-01", "trade_mode": "0110"}


class VkeyIn(BaseModel):
    """A C2SP signed-note verifier key: `<name>+<hex key id>+<base64(0x01 || key)>`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"vkey": _VKEY}]})

    vkey: str = Field(min_length=10, max_length=300)


class SourceKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    name: str
    key_id: int
    vkey: str
    created_at: datetime
    retired_at: datetime | None


class BatchIn(BaseModel):
    """A batch manifest (C2SP signed note) and how to publish: `partial` or `atomic`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"manifest": _MANIFEST, "mode": "partial"}, {"manifest": _MANIFEST,
                                                     "mode": "atomic"}]})

    manifest: str = Field(min_length=20, max_length=10_000)
    mode: Literal["partial", "atomic"] = "partial"


class AmendmentIn(BaseModel):
    """New content for a document (same key and owner) and why it changes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"record": {**_RECORD, "total_value": "11500.00"},
         "reason": "value corrected after re-inspection"}]})

    record: dict[str, Any]
    reason: str = Field(min_length=3, max_length=1000)
