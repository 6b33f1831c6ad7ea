"""The one gate a filing's content passes before it is submitted or resubmitted.

`check_content` is generic here: the content is a JSON object holding the top-level fields
the form's definition names in `required`. Each system (risk reports, statistics,
licences) adds its own checks behind this one function, so that every entry point (API,
portal, CLI upload) judges content the same way. Errors block submission; a warning
blocks too unless the filer explains it (`explanations: {location: text}`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from crossfin.filings.catalogue import definition_of
from crossfin.filings.models import FilingForm


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding about the content: where (a path such as `subjects[0].uscc` or
    `T1/R010/C03`), which rule, how grave, and why in English and Chinese."""

    location: str
    rule: str
    severity: Severity
    message_en: str
    message_zh: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}


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
