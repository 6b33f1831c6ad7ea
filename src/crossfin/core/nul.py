"""No U+0000 in text a client sends: PostgreSQL's text and jsonb cannot hold it.

A NUL character reaching PostgreSQL fails the statement (a 500), while SQLite stores it:
so, on both engines alike, a request carrying one is refused before it is read, as a 422
naming where it is (api/limits.py: the path, each query parameter, a JSON body, a
portal form), and a
record of a batch holding one is an unreadable record (documents/records.py).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from crossfin.core.errors import FieldError, ValidationFailed, field_path

NUL = "\x00"
REASON = "contains the NUL character (U+0000), which no text may hold"


def nul_paths(value: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where, in a parsed JSON value, a string or a member name holds NUL."""
    if isinstance(value, str):
        return [at] if NUL in value else []
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for name, member in value.items():
            if NUL in name:
                found.append((*at, name))
            found += nul_paths(member, (*at, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += nul_paths(item, (*at, index))
    return found


def check_json(body: bytes) -> None:
    """422 naming each field of a JSON body whose text holds NUL.

    In JSON text a NUL can only be written `\\u0000` (a raw one makes it malformed), so a
    body without that escape is passed at once; a malformed one is left to the parser.
    """
    if b"\\u0000" not in body:
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return
    fields = [field_path(at) or "body" for at in nul_paths(parsed)]
    if fields:
        raise ValidationFailed([FieldError(f, REASON) for f in fields])


def check_url(path: str, query: bytes) -> None:
    """422 naming the path or each query parameter that holds NUL (decoded)."""
    errors = [FieldError("path", REASON)] if NUL in path else []
    if b"%00" in query or b"\x00" in query:
        text = query.decode("latin-1")
        for name, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1"):
            if NUL in name or NUL in value:
                errors.append(FieldError(f"query.{name.replace(NUL, '')}", REASON))
    if errors:
        raise ValidationFailed(errors)


def check_form(body: bytes) -> None:
    """422 naming each field of a URL-encoded form whose name or value holds NUL."""
    if b"%00" not in body and b"\x00" not in body:
        return
    text = body.decode("latin-1")
    fields = [
        FieldError(f"form.{name.replace(NUL, '')}", REASON)
        for name, value in parse_qsl(text, keep_blank_values=True, encoding="latin-1")
        if NUL in name or NUL in value
    ]
    if fields:
        raise ValidationFailed(fields)
