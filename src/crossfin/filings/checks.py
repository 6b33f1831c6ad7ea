"""The one gate a filing's content passes before it is submitted or resubmitted.

`check_content` is generic here: the content is a JSON object holding the top-level fields
the form's definition names in `required`. Each system (risk reports, statistics,
licences) adds its own checks behind this one function, so that every entry point (API,
portal, CLI upload) judges content the same way. Errors block submission; a warning
blocks too unless the filer explains it (`explanations: {location: text}`).
"""

from __future__ import annotations

from typing import Any

from crossfin.filings.catalogue import definition_of
from crossfin.filings.issues import Issue, Severity
from crossfin.filings.models import FilingForm
from crossfin.filings.systems import system_issues


def check_content(form: FilingForm, content: Any, previous: Any | None) -> list[Issue]:
    """Every issue with `content` under `form` (`previous`: the filing's last content, or
    None for a first version; the systems' continuity checks read it)."""
    if not isinstance(content, dict):
        return [
            Issue(
                "",
                "object",
                Severity.ERROR,
                "the content must be a JSON object",
                "内容必须是 JSON 对象",
            )
        ]
    definition = definition_of(form)
    return [
        *_missing(definition, "required", content, Severity.ERROR),
        *_missing(definition, "recommended", content, Severity.WARNING),
        *system_issues(form, content, previous),
    ]


def _missing(
    definition: dict[str, Any], key: str, content: dict[str, Any], severity: Severity
) -> list[Issue]:
    """The fields `definition[key]` names that `content` leaves empty: `required` ones are
    errors, `recommended` ones warnings (the filer explains why they are empty)."""
    names = definition.get(key, [])
    if not isinstance(names, list):
        return []
    if severity is Severity.ERROR:
        en, zh = "is required", "为必填项"
    else:
        en, zh = "is empty; explain why", "为空，请说明原因"  # noqa: RUF001 (Chinese punctuation)
    return [
        Issue(name, key, severity, f"{name} {en}", f"{name} {zh}")
        for name in names
        if isinstance(name, str) and content.get(name) in (None, "", [], {})
    ]


def unexplained(issues: list[Issue], explanations: dict[str, str]) -> list[Issue]:
    """The issues that still block: every error, and each warning nobody explained."""
    return [
        i
        for i in issues
        if i.severity is Severity.ERROR or not explanations.get(i.location, "").strip()
    ]
