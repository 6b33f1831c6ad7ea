"""Inputs and outputs of the registry's ingestion side: source keys, batches, amendments."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# A real key pair's verifier and a manifest it signed over two records (the signing key
# was thrown away): the examples verify. The second record is the first with
# declaration_no 531620240123456790.
_VKEY = "customs-5316+9cb64f79+ARakZ4o1EouEPd2qPjva7DPToZuU+ddjGPLhKRlskRkn"
_MANIFEST = (
    "crossfin.batch/v1\ncustoms_declaration\n2024-06-01-a\n2\n"
    "fh+34Vteftj6wz+qI0EWHNOgpWKLiJwSaP0c0IkhCV4=\n\n"
    "— customs-5316 nLZPeSGiAEoz/TC3z6lPPqVJVO2CCYK7qzGvJvYeqT1jtKF4cWT29y9Jw2ARa"
    "+JP1fuH9asU+18ddU1Vssh5wsaNiQk=\n"
)
_RECORD = {
    "declaration_no": "531620240123456789",
    "enterprise_uscc": "91440300MA5G0H6F19",
    "buyer_name": "ACME Trading Inc.",
    "buyer_country": "US",
    "currency": "USD",
    "total_value": "11800.00",
    "export_date": "2024-05-01",
    "trade_mode": "0110",
}


class VkeyIn(BaseModel):
    """A C2SP signed-note verifier key: `<name>+<hex key id>+<base64(0x01 || key)>`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"vkey": _VKEY}]})

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

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"manifest": _MANIFEST, "mode": "partial"},
                {"manifest": _MANIFEST, "mode": "atomic"},
            ]
        },
    )

    manifest: str = Field(min_length=20, max_length=10_000)
    mode: Literal["partial", "atomic"] = "partial"


class AmendmentIn(BaseModel):
    """New content for a document (same key and owner) and why it changes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "record": {**_RECORD, "total_value": "11500.00"},
                    "reason": "value corrected after re-inspection",
                }
            ]
        },
    )

    record: dict[str, Any]
    reason: str = Field(min_length=3, max_length=1000)
