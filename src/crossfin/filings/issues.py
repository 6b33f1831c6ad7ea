"""A finding about a filing's content, whichever system found it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


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
