"""Canonical JSON (RFC 8785) for ledger records and digests."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import rfc8785

# JCS numbers are IEEE doubles: integers beyond 2**53 would lose precision, so they travel
# as strings, like Decimal amounts.
_SAFE_INT = 2**53


def jcs_value(obj: Any) -> Any:
    """Turn Python values into JSON values that JCS carries exactly."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Enum):
        return jcs_value(obj.value)
    if isinstance(obj, int):
        return obj if -_SAFE_INT < obj < _SAFE_INT else str(obj)
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, float):
        raise TypeError("floats are not allowed in canonical records; use Decimal")
    if isinstance(obj, datetime):
        return utc_text(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, bytes):
        return obj.hex()
    if isinstance(obj, Mapping):
        return {str(k): jcs_value(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [jcs_value(v) for v in obj]
        return sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items
    raise TypeError(f"cannot put {type(obj).__name__} in a canonical record")


def canonical_json(obj: Any) -> bytes:
    """RFC 8785 bytes of `obj` after `jcs_value` conversion."""
    return rfc8785.dumps(jcs_value(obj))


def content_digest(obj: Any) -> str:
    """`sha256:<hex>` of the canonical form of `obj`."""
    return "sha256:" + hashlib.sha256(canonical_json(obj)).hexdigest()


def utc_text(moment: datetime) -> str:
    """RFC 3339 UTC text with microseconds and a Z, e.g. 2026-01-02T03:04:05.000006Z."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
