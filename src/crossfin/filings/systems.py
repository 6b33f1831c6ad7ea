"""What each system adds to the generic filing: its content checks, and whether its
content may be stored as the filer sends it.

* statistics: the form's definition is a statistical template
  (`filings.forms.FormDefinition`); `filings.forms.validate` judges every cell.
* risk reports: the content is judged by `filings.risk.check`. A report's input holds
  individuals' ID numbers in clear, which must be hashed (`filings.risk.prepare`, with the
  platform's key) before anything is stored; until the risk-report flow does that on its
  own entry points, its forms are refused by the generic one, so no clear ID number is
  ever written.
* licences: the generic checks only, for now.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from crossfin.core.errors import Conflict, FieldError, ValidationFailed
from crossfin.filings import forms, risk
from crossfin.filings.issues import Issue, Severity
from crossfin.filings.models import FilingForm
from crossfin.filings.schemas import System


def check_definition(system: System, definition: dict[str, Any]) -> None:
    """422 naming `definition` when a statistics form's definition is not a template."""
    if system is not System.STATISTICS:
        return
    try:
        forms.FormDefinition.model_validate(definition)
    except ValidationError as exc:
        errors = [
            FieldError(
                "definition." + ".".join(str(p) for p in e["loc"]) if e["loc"] else "definition",
                e["msg"],
            )
            for e in exc.errors()[:20]
        ]
        raise ValidationFailed(errors) from None


def system_issues(form: FilingForm, content: dict[str, Any], previous: Any | None) -> list[Issue]:
    """The issues the form's own system finds in `content` (beyond the generic ones)."""
    if form.system == System.STATISTICS.value:
        template = forms.FormDefinition.model_validate_json(form.definition)
        report = forms.validate(template, content, previous)
        return [
            Issue(i.where(), i.rule, Severity(i.severity), i.message_en, i.message_zh)
            for i in report.issues
        ]
    if form.system == System.RISK_REPORT.value:
        return [
            Issue(i.location, i.rule, Severity(i.severity), i.message_en, i.message_zh)
            for i in risk.check(content)
        ]
    return []


def require_storable(form: FilingForm) -> None:
    """409 for a form whose content cannot yet go through the generic entry points."""
    if form.system == System.RISK_REPORT.value:
        raise Conflict(
            "risk reports are not filed through the generic filings endpoints yet: their "
            "individuals' ID numbers must be hashed before anything is stored",
            form=form.code,
        )
