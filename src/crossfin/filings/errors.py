"""Filings' own problem types (docs/api.md)."""

from __future__ import annotations

from typing import Any

from crossfin.core.errors import CrossfinError


class ContentRejected(CrossfinError):
    """The content has errors, or warnings nobody explained: every issue is listed, each
    naming its location, rule and severity, in English and Chinese."""

    status = 422
    slug = "filing-content"
    title = "The filing's content does not pass its checks"

    def __init__(self, issues: list[dict[str, Any]]) -> None:
        detail = "; ".join(f"{i['location'] or '(content)'}: {i['message_en']}" for i in issues)
        super().__init__(detail, issues=issues)


class FilingLocked(CrossfinError):
    """A statistics filing past its deadline takes no new content or submission until a
    covering regulator approves a late correction; `due` names the deadline."""

    status = 409
    slug = "filing-locked"
    title = "The filing is locked: its deadline has passed"
