"""What the statistics endpoints answer: a filing's cell issues, continuity and standing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crossfin.filings import queries
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.statistics.report import cell_report
from crossfin.filings.statistics.schemas import (
    StatisticsOut,
    UploadOut,
    continuity_out,
    issue_out,
    standing_out,
)
from crossfin.filings.statistics.standing import standing
from crossfin.filings.statistics.uploads import Uploaded
from crossfin.parties.access import Caller


def statistics_of(session: Session, caller: Caller, filing_id: int) -> StatisticsOut:
    """The current version's issues, the continuity compared with, the deadline standing."""
    report = cell_report(session, caller, filing_id)
    filing = report.filing
    form = form_in_force(session, filing.form_code, filing.form_version)
    return StatisticsOut(
        filing_id=filing.id,
        reference=filing.reference,
        period=filing.period,
        errors=sum(1 for i in report.issues if i.severity == "error"),
        warnings=sum(1 for i in report.issues if i.severity == "warning"),
        issues=[issue_out(i) for i in report.issues],
        explanations=report.explanations,
        continuity=continuity_out(report.previous),
        standing=standing_out(standing(session, filing, form)),
    )


def upload_out(session: Session, caller: Caller, found: Uploaded) -> UploadOut:
    filing = found.filing
    form = form_in_force(session, filing.form_code, filing.form_version)
    return UploadOut(
        filing=queries.filing_detail(session, caller, filing.id),
        errors=sum(1 for i in found.issues if i.severity == "error"),
        warnings=sum(1 for i in found.issues if i.severity == "warning"),
        issues=[issue_out(i) for i in found.issues],
        continuity=continuity_out(found.previous),
        standing=standing_out(standing(session, filing, form)),
    )
