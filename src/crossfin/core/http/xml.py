"""Shared pieces of routes that take and answer XML (ISO 20022 messages)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from crossfin.core.db import Database
from crossfin.core.http.deps import get_db, raw_body

XML = "application/xml"
XmlBody = Annotated[bytes, Depends(raw_body)]
DbDep = Annotated[Database, Depends(get_db)]


def xml_body(example: str) -> dict[str, Any]:
    """OpenAPI for a route whose body is an XML message (read raw, validated by its XSD)."""
    return {
        "requestBody": {
            "required": True,
            "content": {XML: {"schema": {"type": "string"}, "example": example}},
        }
    }


def wants_xml(accept: str | None, format_: str | None, name: str) -> bool:
    """Whether a reader asks for XML: `?format=<name>` or an Accept naming XML first."""
    if format_ is not None:
        return format_ == name
    first = (accept or "").split(",")[0].split(";")[0].strip().lower()
    return first in {XML, "text/xml"}
