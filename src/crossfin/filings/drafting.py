"""Drafting a filing: the form, the filer's chain, whose regulators supervise it, and its
first content version, in one ledger event."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import invalid
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import ClockStart, FilingIn
from crossfin.filings.statistics.periods import period_end
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.systems import require_storable
from crossfin.filings.versions import add_version
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_kind, require_writer
from crossfin.parties.branches import head_office_id
from crossfin.parties.models import BankJurisdiction, Jurisdiction, Organization, OrgKind

FILERS = (OrgKind.BANK, OrgKind.ENTERPRISE)


def create_filing(uow: UnitOfWork, caller: Caller, data: FilingIn) -> tuple[Filing, Receipt]:
    """Draft a filing of `data.form` for the caller's organization (a bank or an
    enterprise); content is not checked until submission."""
    require_writer(caller)
    require_kind(caller, *FILERS)
    session = uow.session
    form = form_in_force(session, data.form, data.form_version)
    require_storable(form)
    org = session.get_one(Organization, caller.org_id)
    path = jurisdiction_path(session, org, data.jurisdiction)
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
        clock_started=_clock_start(form, data.clock_started, data.period),
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
    version = add_version(session, caller, filing, data.content)
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
