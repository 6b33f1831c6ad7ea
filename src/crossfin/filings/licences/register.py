"""The public register of licence decisions: searchable without logging in, and showing
only what is public (the type, the holder's name and USCC, the decision, its date and
verification code, the reference). Never reasons, attachments, people or drafts: only
decided applications appear, so withdrawn and rejected-at-acceptance ones never do."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import NotFound
from crossfin.filings.licences.schemas import RegisterEntry
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import System
from crossfin.filings.steps import FilingState
from crossfin.parties.models import Organization

CODE = r"^LV-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$"


def _decided() -> Select[Filing, FilingForm, Organization]:
    return (
        select(Filing, FilingForm, Organization)
        .join(FilingForm, FilingForm.id == Filing.form_id)
        .join(Organization, Organization.id == Filing.filer_org_id)
        .where(
            FilingForm.system == System.LICENCE.value,
            Filing.state == FilingState.DECIDED.value,
            Filing.verification_code.is_not(None),
        )
    )


def entry(filing: Filing, form: FilingForm, org: Organization) -> RegisterEntry:
    return RegisterEntry(
        type=form.code,
        type_zh=form.name_zh,
        type_en=form.name_en,
        holder=org.name,
        holder_zh=org.name_zh,
        uscc=org.uscc,
        decision=filing.outcome or "",
        # Filings decided before `finished_on` existed: a decided filing never changes
        # again, so its last update is the decision.
        decided_on=filing.finished_on or business_date(filing.updated_at),
        verification_code=filing.verification_code or "",
        reference=filing.reference,
    )


def search(
    session: Session,
    q: str | None = None,
    licence_type: str | None = None,
    decision: str | None = None,
    after: int = 0,
    limit: int = 50,
) -> tuple[list[RegisterEntry], int | None]:
    """Decisions matching `q` (holder name, Chinese name, USCC, reference or code, as a
    substring) and the filters, by id; the cursor of the next page, if any."""
    query = _decided().where(Filing.id > after).order_by(Filing.id).limit(limit)
    if q and q.strip():
        like = f"%{_escaped(q.strip())}%"
        query = query.where(
            or_(
                *(
                    column.ilike(like, escape="\\")
                    for column in (
                        Organization.name,
                        Organization.name_zh,
                        Organization.uscc,
                        Filing.reference,
                        Filing.verification_code,
                    )
                )
            )
        )
    if licence_type:
        query = query.where(FilingForm.code == licence_type)
    if decision:
        query = query.where(Filing.outcome == decision)
    rows = session.execute(query).all()
    items = [entry(f, form, org) for f, form, org in rows]
    return items, rows[-1][0].id if len(rows) == limit else None


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def verify(session: Session, code: str) -> RegisterEntry:
    """The decision a verification code belongs to; 404 for any other code."""
    row = session.execute(_decided().where(Filing.verification_code == code.upper())).first()
    if row is None:
        raise NotFound("no licence decision has this verification code", field="code")
    return entry(*row)
