"""`validate(form, content, previous) -> Report`: every rule of the form over one filing.

The filings workflow calls it at submission with the stored content and the content of the
filer's last accepted filing of the previous period (None for a first filing). Errors block
acceptance; warnings need an explanation. Built-in checks of the form itself, before the
rules run, carry the ids below.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from crossfin.filings.forms.checks import CHECKS, Filing
from crossfin.filings.forms.content import Content, period_matches
from crossfin.filings.forms.definition import FormDefinition
from crossfin.filings.forms.issues import Issue, Report

FORM_CODE = "FORM-CODE"
FORM_VERSION = "FORM-VERSION"
FORM_PERIOD = "FORM-PERIOD"
FORM_TABLE = "FORM-TABLE"


def _form_issue(
    rule: str, en: str, zh: str, expected: str, found: str, table: str | None = None
) -> Issue:
    return Issue(
        table=table, row=None, column=None, index=None, rule=rule, severity="error",
        message_en=en, message_zh=zh, expected=expected, found=found,
    )  # fmt: skip


def _form_issues(form: FormDefinition, content: Content) -> Iterator[Issue]:
    if content.form != form.code:
        en, zh = "The filing is for another form.", "报送内容不属于本报表。"
        yield _form_issue(FORM_CODE, en, zh, form.code, content.form)
        return  # another form's content: nothing else of this form applies
    if content.version != form.version:
        en, zh = "The filing uses another version of the form.", "报送内容使用了其他版本的报表。"
        yield _form_issue(FORM_VERSION, en, zh, str(form.version), str(content.version))
        return
    if not period_matches(content.period, form.period_kind):
        shape = "YYYY-MM" if form.period_kind == "monthly" else "YYYY-Qn"
        yield _form_issue(FORM_PERIOD, f"The period must be written {shape}.",
                          f"报告期须写作 {shape}。", shape, content.period)  # fmt: skip
    for name in content.tables:
        if form.table(name) is None:
            yield _form_issue(FORM_TABLE, "The form has no such table.", "本报表没有此表。",
                              ", ".join(t.code for t in form.tables), name, table=name)  # fmt: skip


def _as_content(data: Content | Mapping[str, Any]) -> Content:
    return data if isinstance(data, Content) else Content.from_content(data)


def validate(
    form: FormDefinition,
    content: Content | Mapping[str, Any],
    previous: Content | Mapping[str, Any] | None,
) -> Report:
    """Run every rule of `form` on `content` (ValidationFailed if it is not content at all).

    Precondition: `previous` is the last accepted filing of the period before, or None.
    """
    current = _as_content(content)
    prior = None if previous is None else _as_content(previous)
    issues = list(_form_issues(form, current))
    if any(i.rule in (FORM_CODE, FORM_VERSION) for i in issues):
        return Report.of(issues)  # another form's rules say nothing about this content
    filing = Filing(form=form, current=current, previous=prior)
    for rule in form.rules:
        issues.extend(CHECKS[rule.kind](filing, rule))
    return Report.of(issues)
