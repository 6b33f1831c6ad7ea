"""Salted values of v2: `"<uuid v4>:<type>:<value>"`, read back as the issuer typed them.

The reference reads a malformed value leniently (a "number" tag on text gives NaN, any
boolean other than "true" is false, a value without a UUID is taken as written): such a
value hashes fine, so the target hash cannot flag it. Naming it is the one way a changed
field can be named from the document alone, so every leaf is checked here.
"""

from __future__ import annotations

import math
import re
from typing import Any

_SALTED = re.compile(
    r"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}):([a-z]*):(.*)",
    re.IGNORECASE | re.DOTALL,
)
_JS_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class NotSalted(ValueError):
    """A leaf that is not a well-formed salted value; the message says why."""


def _parts(value: Any) -> tuple[str, str]:
    if not isinstance(value, str):
        shown = "an empty object or array" if value in ({}, []) else f"a bare {_kind(value)}"
        raise NotSalted(f"{shown}, not a salted value")
    match = _SALTED.fullmatch(value)
    if match is None:
        raise NotSalted("not of the form <uuid v4>:<type>:<value>")
    return match.group(2), match.group(3).strip()


def unsalt(value: Any) -> str | float | bool | None:
    """The typed value of a salted leaf; raises NotSalted naming what is wrong with it."""
    kind, text = _parts(value)
    if kind == "string":
        return text
    if kind == "number":
        if not (_JS_NUMBER.fullmatch(text) and math.isfinite(float(text))):
            raise NotSalted(f"tagged number but {text[:40]!r} is not a finite number")
        return float(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise NotSalted(f"tagged boolean but {text[:40]!r} is neither true nor false")
        return text == "true"
    if kind in ("null", "undefined"):
        if text != kind:
            raise NotSalted(f"tagged {kind} but carries {text[:40]!r}")
        return None
    raise NotSalted(f"unknown type tag {kind[:20]!r}")


def text_of(value: Any) -> str | None:
    """A salted string or number as the issuer wrote it (`1000.50` stays so), else None."""
    try:
        unsalt(value)
    except NotSalted:
        return None
    kind, text = _parts(value)
    return text if kind in ("string", "number") else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__
