"""Issues: what is wrong with a report, where (a field path), by which rule, in both languages.

`Issue` mirrors the filings workflow's own issue type (location, rule, severity, messages)
so the two convert field for field. Pydantic's errors become issues here: a rule raised by
this package carries its Chinese text in the error context; pydantic's own error types get
theirs from a table, with a generic fallback that still names the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

Severity = Literal["error", "warning"]

# The tags of the subject union: pydantic puts them in an error's location, but a
# reader names `subjects[1].id_number`, not `subjects[1].individual.id_number`.
_UNION_TAGS = frozenset({"enterprise", "individual"})

_ZH_BY_TYPE = {
    "missing": "必填字段缺失",
    "extra_forbidden": "不允许出现此字段",
    "enum": "不在代码表内，可选值：{expected}",
    "literal_error": "不在代码表内，可选值：{expected}",
    "string_type": "必须是字符串",
    "string_too_short": "长度至少为 {min_length}",
    "string_too_long": "长度不得超过 {max_length}",
    "string_pattern_mismatch": "格式不符合要求",
    "date_type": "必须是日期（YYYY-MM-DD）",
    "date_parsing": "不是有效日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "不是有效日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "必须是日期，不能带时间",
    "int_type": "必须是整数",
    "int_parsing": "必须是整数",
    "int_from_float": "必须是整数",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "必须大于或等于 {ge}",
    "less_than_equal": "必须小于或等于 {le}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "list_type": "必须是列表",
    "model_type": "必须是对象",
    "model_attributes_type": "必须是对象",
    "dict_type": "必须是对象",
    "union_tag_invalid": "kind 必须是 {expected_tags} 之一",
    "union_tag_not_found": "缺少 kind 字段（enterprise 或 individual）",
}


@dataclass(frozen=True)
class Issue:
    """One finding: `location` is a field path such as `subjects[1].id_number`."""

    location: str
    rule: str
    severity: Severity
    message_en: str
    message_zh: str


class RuleError(ValueError):
    """A rule of this package refused a value; carries the rule code and both messages."""

    def __init__(self, rule: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.rule = rule
        self.en = en
        self.zh = zh

    def for_pydantic(self) -> PydanticCustomError:
        """The same refusal as pydantic reports it (the texts travel in the context)."""
        # The messages go through the context, not the template, so braces in them are safe.
        return PydanticCustomError(self.rule, "{en}", {"en": self.en, "zh": self.zh})


def path(loc: Sequence[Any]) -> str:
    """`subjects[1].id_number` from a pydantic location, without the union's tag."""
    text = ""
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not (part in _UNION_TAGS and isinstance(previous, int)):
            text += f".{part}" if text else str(part)
        previous = part
    return text or "$"


def _zh(error: Any) -> str:
    ctx = error.get("ctx") or {}
    if "zh" in ctx:
        return str(ctx["zh"])
    template = _ZH_BY_TYPE.get(error["type"])
    if template is None:
        return f"取值无效：{error['msg']}"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def from_validation_error(exc: ValidationError) -> list[Issue]:
    """Every error of a pydantic validation as an error-severity Issue (no input values)."""
    return [
        Issue(path(e["loc"]), e["type"], "error", str(e["msg"]), _zh(e))
        for e in exc.errors(include_url=False, include_input=False)
    ]


def errors_only(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity == "error"]
