"""What each system adds to the generic filing: its content checks, and whether its
content may be stored as the filer sends it.

* statistics: the form's definition is a statistical template
  (`filings.forms.FormDefinition`); `filings.forms.validate` judges every cell.
* risk reports: the content is judged by `filings.risk.check`. A report's input holds
  individuals' ID numbers in clear, which must be hashed (`filings.risk.prepare`, with the
  platform's key) before anything is stored; until the risk-report flow does that on its
  own entry points, its forms are refused by the generic one, so no clear ID number is
  ever written.
* licences: the generic content checks; `filings.licences.rules` adds the required
  materials, the one request for supplement, the licensing outcomes, the review clock's
  start and the decision's verification code (the hooks below).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from crossfin.core.errors import Conflict, FieldError, ValidationFailed
from crossfin.filings import forms, risk
from crossfin.filings.issues import Issue, Severity
from crossfin.filings.licences import rules as licensing
from crossfin.filings.licences.definition import parse as parse_licence
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import System


def check_definition(system: System, definition: dict[str, Any]) -> None:
    """422 naming `definition` when a statistics form's definition is not a template, or
    a licence type's materials or deadlines are malformed."""
    if system is System.LICENCE and "materials" in definition:
        parse_licence(definition)
        return
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


def is_licence(form: FilingForm) -> bool:
    """A licence type: a `licence` form listing its materials. One without `materials`
    stays a plain form of the skeleton (forms loaded before licensing, tests' forms)."""
    return form.system == System.LICENCE.value and "materials" in json.loads(form.definition)


def allows(session: Session, form: FilingForm, filing: Filing, action: str) -> bool:
    """Whether the form's system lets `action` happen now (else 409, naming the state)."""
    return not is_licence(form) or licensing.allows(session, filing, action)


def before_step(
    session: Session,
    form: FilingForm,
    filing: Filing,
    action: str,
    outcome: tuple[str, str | None] | None = None,
) -> None:
    """The system's checks and changes before a step is recorded (state already set):
    an ending's outcome and reasons, a submission's materials, the licence clocks."""
    if not is_licence(form):
        return
    if outcome is not None:
        licensing.check_outcome(action, *outcome)
    if action in ("submit", "resubmit"):
        licensing.require_materials(session, filing, form)
    licensing.on_step(filing, action)


def check_attachment(form: FilingForm, material: str | None, media: str) -> None:
    """A licence's attachment names its material; other systems' name none."""
    if is_licence(form):
        licensing.check_material(form, material, media)
    elif material is not None:
        raise ValidationFailed([FieldError("material", f"form {form.code} names no materials")])
