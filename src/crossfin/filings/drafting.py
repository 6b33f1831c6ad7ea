"""Drafting a filing: the form, the filer's chain, whose regulators supervise it, and its
first content version, in one ledger event.

New content passes `systems.prepare_content` before it is stored (a risk report's ID
numbers hashed, its links checked); a risk report's clock starts on its `discovered_on`
and, unless named, its jurisdiction is its enterprise subject's county."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import invalid
from crossfin.core.settings import Settings
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.risk import filing as risk_filing
from crossfin.filings.schemas import ClockStart, FilingIn, System
from crossfin.filings.statistics.periods import period_end
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.systems import prepare_content
from crossfin.filings.versions import add_version
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind, require_writer
from crossfin.parties.branches import head_office_id
from crossfin.parties.models import BankJurisdiction, Jurisdiction, Organization, OrgKind

FILERS = (OrgKind.BANK, OrgKind.ENTERPRISE)


def create_filing(
    uow: UnitOfWork, caller: Caller, data: FilingIn, settings: Settings | None = None
) -> tuple[Filing, Receipt]:
    """Draft a filing of `data.form` for the caller's organization (a bank or an
    enterprise); content is not checked until submission (a risk report's is prepared:
    `settings` locate its ID-hash key)."""
    require_writer(caller)
    require_kind(caller, *FILERS)
    session = uow.session
    form = form_in_force(session, data.form, data.form_version)
    if form.system == System.RISK_REPORT.value:
        require_kind(caller, OrgKind.BANK)  # banks report risky transactions, nobody else
    content = prepare_content(session, caller, form, data.content, settings)
    org = session.get_one(Organization, caller.org_id)
    path, given = _risk_defaults(session, form, content, data)
    path = path or jurisdiction_path(session, org, data.jurisdiction)
    now = utcnow()
    filing = Filing(
        reference=f"pending-{uuid.uuid4()}",
        form_id=form.id,
        form_code=form.code,
        form_version=form.version,
        filer_org_id=org.id,
        chain_org_id=head_office_id(org),
        jurisdiction_path=path,
        period=data.period,
        state=FilingState.DRAFTED.value,
        current_version=0,
        clock_started=_clock_start(form, given, data.period),
        clock_pauses="[]",
        clock_extension=0,
        created_by_principal_id=caller.principal_id,
        created_at=now,
        updated_at=now,
    )
    session.add(filing)
    session.flush()
    # Readable and unique: the form, the year, the id.
    filing.reference = f"{form.code}-{business_date():%Y}-{filing.id:06d}"
    version = add_version(session, caller, filing, content)
    receipt = record_step(
        uow,
        caller,
        filing,
        EventType.FILING_DRAFTED,
        None,
        form={"code": form.code, "version": form.version},
        content_sha256=version.content_sha256,
        jurisdiction_path=path,
        period=data.period,
    )
    return filing, receipt


def _risk_defaults(
    session: Session, form: FilingForm, content: dict[str, Any], data: FilingIn
) -> tuple[str | None, date | None]:
    """A risk report's jurisdiction (its subject's county, unless named) and clock start
    (its discovery date: a separate `clock_started` would be a second truth, 422)."""
    if form.system != System.RISK_REPORT.value:
        return None, data.clock_started
    if data.clock_started is not None:
        raise invalid("clock_started", "a risk report's clock starts on its discovered_on")
    given = risk_filing.discovered_on(content) if form.clock_starts == "given" else None
    if data.jurisdiction is not None:
        return None, given
    return risk_filing.subject_jurisdiction(session, content), given


def _clock_start(form: FilingForm, given: date | None, period: str | None) -> date | None:
    """The clock's start when drafting: today, the date given, the period's last day, or
    None (it starts later)."""
    start = ClockStart(form.clock_starts)
    if start is ClockStart.PERIOD_END:
        if given is not None:
            raise invalid("clock_started", f"form {form.code} starts its clock at the period's end")
        return period_end(period)
    if start is not ClockStart.GIVEN:
        if given is not None:
            raise invalid("clock_started", f"form {form.code} starts its clock when {start.value}")
        return business_date() if start is ClockStart.CREATED else None
    if given is None:
        raise invalid("clock_started", f"form {form.code} needs the date that starts its clock")
    if given > business_date():
        raise invalid("clock_started", "must not be in the future")
    return given


def jurisdiction_path(session: Session, org: Organization, code: str | None) -> str:
    """Whose regulators supervise the filing: `code`, which must lie within the filer's
    seat or (a bank) one of the nodes it serves; default the seat, or the one node served.
    422 naming `jurisdiction` otherwise."""
    roots = _filer_roots(session, org)
    if code is None:
        if len(roots) != 1:
            raise invalid("jurisdiction", "name the jurisdiction the filing concerns")
        return roots[0]
    node = session.get(Jurisdiction, code)
    if node is None:
        raise invalid("jurisdiction", f"unknown GB/T 2260 code {code!r}")
    if not any(node.path.startswith(root) for root in roots):
        raise invalid("jurisdiction", f"{code} is outside the filer's seat and served nodes")
    return node.path


def _filer_roots(session: Session, org: Organization) -> list[str]:
    if org.jurisdiction_path is not None:
        return [org.jurisdiction_path]
    query = (
        select(Jurisdiction.path)
        .join(BankJurisdiction, BankJurisdiction.code == Jurisdiction.code)
        .where(BankJurisdiction.org_id == org.id)
        .order_by(Jurisdiction.path)
    )
    return list(session.scalars(query))
