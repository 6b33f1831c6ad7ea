"""The per-cell report of a statistics filing's current version, for whoever reads the
filing: every issue (table, row code, column code, rule, severity, messages in English and
Chinese) with the explanation the filer gave for it, as CSV or as the marked workbook."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crossfin.filings.catalogue import form_in_force
from crossfin.filings.forms import Content, FormDefinition, Issue
from crossfin.filings.forms.workbooks import inert
from crossfin.filings.models import Filing
from crossfin.filings.statistics.uploads import issues_of, template_of
from crossfin.filings.versions import content_of, version_of
from crossfin.filings.visibility import visible_filing
from crossfin.parties.access import Caller

COLUMNS = (
    "table", "row", "column", "rule", "severity",
    "message_en", "message_zh", "expected", "found", "explanation",
)  # fmt: skip


@dataclass(frozen=True)
class CellReport:
    filing: Filing
    template: FormDefinition
    content: Content
    issues: list[Issue]
    explanations: dict[str, str]  # by issue location (`Issue.where()`)
    previous: Filing | None


def cell_report(session: Session, caller: Caller, filing_id: int) -> CellReport:
    """The issues of the current version (404 to whoever does not read the filing)."""
    filing = visible_filing(session, caller, filing_id)
    form = form_in_force(session, filing.form_code, filing.form_version)
    template = template_of(form)
    version = version_of(session, filing.id, filing.current_version)
    data = content_of(version)
    issues, previous = issues_of(session, form, filing, data)
    explanations = dict(json.loads(version.explanations or "{}"))
    content = Content.from_content(data)
    return CellReport(filing, template, content, issues, explanations, previous)


def report_csv(report: CellReport) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheet programs then read the Chinese); typed text is
    never left to run as a formula."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for issue in report.issues:
        row = ";".join(f"{k}={v}" for k, v in (issue.row or {}).items())
        cells = [
            issue.table or "", row, issue.column or "", issue.rule, issue.severity,
            issue.message_en, issue.message_zh, issue.expected or "", issue.found or "",
            report.explanations.get(issue.where(), ""),
        ]  # fmt: skip
        writer.writerow([inert(c) for c in cells])
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report: CellReport) -> bytes:
    """The filing in the template's layout, broken cells marked, an ISSUES sheet first."""
    from crossfin.filings.forms.workbooks import write_report_xlsx

    return write_report_xlsx(report.template, report.content, report.issues)
