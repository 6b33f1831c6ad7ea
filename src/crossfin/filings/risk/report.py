"""A filed risk report as its readers get it: the stored content with what the workflow
knows (`ReportMeta`), exported as XML or JSON, and its links with their addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import Conflict
from crossfin.filings.links import url_of
from crossfin.filings.models import Filing, FilingForm, FilingStep
from crossfin.filings.risk.codes import LinkKind
from crossfin.filings.risk.export import ReportMeta, to_json, to_xml
from crossfin.filings.risk.schema import RiskReportStored
from crossfin.filings.schemas import System
from crossfin.filings.timing import deadline_of
from crossfin.filings.versions import version_of
from crossfin.filings.visibility import visible_filing
from crossfin.ledger.journal import Receipt
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.access import Caller
from crossfin.parties.models import Organization


@dataclass(frozen=True)
class ReportView:
    filing: Filing
    stored: RiskReportStored
    meta: ReportMeta


@dataclass(frozen=True)
class LinkView:
    kind: LinkKind
    id: int
    url: str


def risk_report(session: Session, caller: Caller, filing_id: int) -> ReportView:
    """The report of a filing the caller reads (404 otherwise, as for none); 409 for a
    filing of another system."""
    filing = visible_filing(session, caller, filing_id)
    form = session.get_one(FilingForm, filing.form_id)
    if form.system != System.RISK_REPORT.value:
        raise Conflict(f"filing {filing_id} is not a risk report", form=form.code)
    version = version_of(session, filing.id, filing.current_version)
    stored = RiskReportStored.model_validate_json(version.content)
    return ReportView(filing, stored, _meta(session, filing, form))


def _meta(session: Session, filing: Filing, form: FilingForm) -> ReportMeta:
    steps = list(
        session.scalars(
            select(FilingStep).where(FilingStep.filing_id == filing.id).order_by(FilingStep.id)
        )
    )
    filer = session.get_one(Organization, filing.filer_org_id)
    deadline = deadline_of(session, filing, form)
    return ReportMeta(
        reference=filing.reference,
        filer_org_id=filer.id,
        filer_name=filer.name_zh or filer.name,
        state=filing.state,
        created_at=filing.created_at,
        submitted_at=filing.submitted_at,
        acknowledged_at=_when(steps, "accept"),
        regulator_receipt_number=filing.acknowledgement,
        closed_at=_when(steps, "close"),
        deadline_on=deadline.due if deadline else None,
        receipt=_receipt(session, steps[-1].event_id) if steps else None,
    )


def _when(steps: list[FilingStep], action: str) -> datetime | None:
    return next((s.created_at for s in reversed(steps) if s.action == action), None)


def _receipt(session: Session, event_id: str) -> Receipt:
    row = session.execute(
        select(LedgerEvent.leaf_index, LedgerEvent.leaf_hash).where(
            LedgerEvent.event_id == event_id
        )
    ).one()
    return Receipt(event_id, row.leaf_hash.hex(), row.leaf_index)


def report_xml(session: Session, caller: Caller, filing_id: int) -> bytes:
    view = risk_report(session, caller, filing_id)
    return to_xml(view.stored, view.meta)


def report_json(session: Session, caller: Caller, filing_id: int) -> dict[str, object]:
    view = risk_report(session, caller, filing_id)
    return to_json(view.stored, view.meta)


def links_of(stored: RiskReportStored) -> list[LinkView]:
    """The records the report points at, with the address its readers open them at."""
    return [LinkView(link.kind, link.id, url_of(str(link.kind), link.id)) for link in stored.links]
