"""Filing statistics by upload: a CSV or XLSX file read by the template (`read_upload`)
becomes a new content version of a draft or of a returned filing, or the first version of
a new draft. A file with parse issues is refused whole (422 `/filing-content`, each issue
naming the file's cell), so nothing half-read is ever stored. The answer carries every
validation issue of the stored content; submitting is a separate step (`submit`,
`resubmit`), where errors block and warnings need explanations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from crossfin.core.errors import Conflict, IllegalTransition
from crossfin.filings import drafting
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.errors import ContentRejected
from crossfin.filings.forms import FormDefinition, Issue, validate
from crossfin.filings.forms.sheets import read_upload
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import FilingIn, System
from crossfin.filings.statistics.continuity import continuity_base
from crossfin.filings.statistics.periods import normal
from crossfin.filings.statistics.standing import require_open
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.versions import add_version
from crossfin.filings.visibility import require_filer_side, visible_filing
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer

Format = Literal["csv", "xlsx"]
Progress = Callable[[int, int], None]
EDITABLE = frozenset({FilingState.DRAFTED, FilingState.RETURNED})


@dataclass(frozen=True)
class Uploaded:
    filing: Filing
    receipt: Receipt
    issues: list[Issue]
    previous: Filing | None  # the accepted filing continuity compared with, if any


def template_of(form: FilingForm) -> FormDefinition:
    if form.system != System.STATISTICS.value:
        raise Conflict("uploads are for statistics forms", form=form.code)
    return FormDefinition.model_validate_json(form.definition)


def parse(form: FilingForm, period: str | None, data: bytes, fmt: Format) -> dict[str, Any]:
    """The file's content as stored JSON; 422 listing the parse issues (none stored)."""
    template = template_of(form)
    content, issues = read_upload(template, data, fmt)
    if not issues and period is not None and content.period != normal(period):
        issues = [_period_issue(content.period, normal(period))]
    if issues:
        raise ContentRejected([_as_dict(i) for i in issues])
    return content.to_content()


def _period_issue(found: str, expected: str) -> Issue:
    return Issue(
        table=None, row=None, column="period", index=None, rule="SHEET-PERIOD",
        severity="error", expected=expected, found=found,
        message_en=f"the file is for {found}, the filing for {expected}",
        message_zh=f"文件所属期间为 {found}，申报期间为 {expected}",  # noqa: RUF001
    )  # fmt: skip


def _as_dict(issue: Issue) -> dict[str, Any]:
    return {
        "location": issue.where(),
        "rule": issue.rule,
        "severity": issue.severity,
        "message_en": issue.message_en,
        "message_zh": issue.message_zh,
        "blocking": True,
    }


def issues_of(
    session: Session, form: FilingForm, filing: Filing, content: Any
) -> tuple[list[Issue], Filing | None]:
    """Validate content against the template and last period's accepted filing (its source)."""
    previous, source = continuity_base(session, filing)
    return validate(template_of(form), content, previous).issues, source


def upload(uow: UnitOfWork, caller: Caller, filing_id: int, data: bytes, fmt: Format) -> Uploaded:
    """A new content version of a draft or returned filing from a file (filer's chain)."""
    require_writer(caller)
    filing = visible_filing(uow.session, caller, filing_id, lock=True)
    require_filer_side(caller, filing)
    if FilingState(filing.state) not in EDITABLE:
        raise IllegalTransition(f"a filing {filing.state} takes no new content", state=filing.state)
    form = form_in_force(uow.session, filing.form_code, filing.form_version)
    content = parse(form, filing.period, data, fmt)
    require_open(uow.session, filing, form)
    version = add_version(uow.session, caller, filing, content)
    before = FilingState(filing.state)
    receipt = record_step(
        uow, caller, filing, EventType.FILING_CONTENT_SET, before,
        content_sha256=version.content_sha256, format=fmt,
    )  # fmt: skip
    return Uploaded(filing, receipt, *issues_of(uow.session, form, filing, content))


def draft_upload(
    uow: UnitOfWork,
    caller: Caller,
    form_code: str,
    period: str,
    data: bytes,
    fmt: Format,
    jurisdiction: str | None = None,
) -> Uploaded:
    """A new draft of `form_code` for `period` whose first version is the file's content."""
    require_writer(caller)
    form = form_in_force(uow.session, form_code, None)
    content = parse(form, period, data, fmt)
    body = FilingIn(form=form_code, period=period, jurisdiction=jurisdiction, content=content)
    filing, receipt = drafting.create_filing(uow, caller, body)
    return Uploaded(filing, receipt, *issues_of(uow.session, form, filing, content))
