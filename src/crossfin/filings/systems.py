"""What each system adds to the generic filing: its content checks, and whether its
content may be stored as the filer sends it.

* statistics: the form's definition is a statistical template
  (`filings.forms.FormDefinition`); `filings.forms.validate` judges every cell.
* risk reports: the content is judged by `filings.risk.check`. A report's input holds
  individuals' ID numbers in clear: `prepare_content` hashes them (`filings.risk.prepare`,
  with the platform's key) and checks its links before any version is stored, on every
  path that stores new content (drafting, revising, submitting, resubmitting), so no
  clear ID number is ever written.
* licences: the generic content checks; `filings.licences.rules` adds the required
  materials, the one request for supplement, the licensing outcomes, the review clock's
  start and the decision's verification code (the hooks below).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from crossfin.core.errors import Conflict, FieldError, Forbidden, ValidationFailed, invalid
from crossfin.core.settings import Settings
from crossfin.filings import forms, risk
from crossfin.filings.issues import Issue, Severity
from crossfin.filings.licences import rules as licensing
from crossfin.filings.licences.definition import parse as parse_licence
from crossfin.filings.links import check_links
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.risk.outcomes import Outcome
from crossfin.filings.schemas import System
from crossfin.parties.access import Caller


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


def prepare_content(
    session: Session,
    caller: Caller,
    form: FilingForm,
    content: dict[str, Any],
    settings: Settings | None,
) -> dict[str, Any]:
    """The content to store for new content of `form`: a risk report's with its ID numbers
    hashed (422 naming bad fields) and its links readable by the caller (422 naming
    `links[i].id`); other systems' as given. 409 when a risk report arrives without the
    settings that locate the ID-hash key (a caller that cannot hash must not store)."""
    if form.system != System.RISK_REPORT.value:
        return content
    if settings is None:
        raise Conflict("this entry point cannot hash a risk report's ID numbers", form=form.code)
    prepared = risk.prepare(content, risk.id_hash_key(settings))
    links = [(str(link["kind"]), int(link["id"])) for link in prepared.get("links", [])]
    check_links(session, caller, links)
    return prepared


def require_filer(form: FilingForm, caller: Caller, filing: Filing) -> None:
    """403 when the form is filed by the head office and the caller is not it: a bank
    branch drafts a risk report, its head office (the filing's chain; a bank without a
    parent is its own) files it."""
    if json.loads(form.definition).get("filed_by") == "head_office" and caller.org_id != (
        filing.chain_org_id
    ):
        raise Forbidden("the filer's head office files this form, not the branch")


def check_outcome(form: FilingForm, outcome: str) -> None:
    """422 naming `outcome` when a risk report is closed with an outcome off its list."""
    if form.system == System.RISK_REPORT.value and outcome not in set(Outcome):
        known = ", ".join(o.value for o in Outcome)
        raise invalid("outcome", f"a risk report's outcome is one of: {known}")


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
