"""One page per enterprise: the use case behind the portal's `/enterprises/{id}` and the
API's `GET /v1/enterprises/{id}/overview` (api/routes/enterprises.py), which both call
`enterprise_overview`.

It spans every domain (documents and consents, financing, payments, supervision), which
may not read each other, so it is assembled here, above them, from each one's small query
(`documents/summary.py`, `financing/summary.py`, `payments/summary.py`,
`supervision/summary.py`), as the home page is (home_data.py).

Who reads it (docs/supervision.md, "The enterprise page"): a regulator whose subtree holds
the enterprise's seat (the head office: every one), and the enterprise itself, without
the regulators' alerts and cases. To any other regulator an enterprise it does not
supervise is a missing one (404, word for word), as its alerts and cases are; every other
caller is refused (403) whatever the id, so neither answer tells a stranger that a firm
exists.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import Forbidden, NotFound
from crossfin.documents.summary import (
    ConsentRow,
    DocumentsSummary,
    enterprise_consents,
    enterprise_documents,
)
from crossfin.financing import summary as financing_summary
from crossfin.financing.summary import FinancingSummary
from crossfin.parties.access import Caller, supervises
from crossfin.parties.classes.history import class_on, history_of
from crossfin.parties.classes.schemas import ClassOut
from crossfin.parties.models import Jurisdiction, Organization, OrgKind
from crossfin.parties.records import RegulatoryRecord, records_of
from crossfin.payments import summary as payments_summary
from crossfin.payments.summary import PaymentSummary
from crossfin.supervision.summary import SupervisionSummary, enterprise_supervision

ROOT = "000000"


class Division(BaseModel):
    code: str
    name_en: str
    name_zh: str


class Identity(BaseModel):
    id: int
    name: str
    name_zh: str | None
    uscc: str | None
    customs_code: str | None
    size: str = Field(description="micro, small, medium, large or unknown")
    onboarded: date = Field(description="The day it was onboarded (UTC+8).")
    county: Division | None = Field(description="The county-level division it sits in.")
    path: list[Division] = Field(description="Its seat's divisions, province first.")
    trade_class: str = Field(description="The class in force today (UTC+8).")


class EnterpriseOverview(BaseModel):
    as_of: date
    identity: Identity
    class_history: list[ClassOut] = Field(description="Newest in force first.")
    documents: DocumentsSummary
    financings: FinancingSummary = Field(description="At every bank.")
    payments: PaymentSummary = Field(description="At every bank.")
    supervision: SupervisionSummary | None = Field(
        description="Regulators only: the alerts and cases about it that their subtree "
        "holds; null for the enterprise itself."
    )
    regulatory_records: list[RegulatoryRecord] = Field(
        description="What closed cases found (as in the F2 credit profile)."
    )
    consents: list[ConsentRow] = Field(description="Every consent it granted, newest first.")


def readable_enterprise(session: Session, caller: Caller, org_id: int) -> Organization:
    """The enterprise if `caller` may read its page; 403 or 404 otherwise (module doc)."""
    if caller.org_kind is OrgKind.ENTERPRISE:
        if caller.org_id != org_id:
            raise Forbidden("an enterprise reads only its own enterprise page")
        return session.get_one(Organization, org_id)
    if caller.org_kind is not OrgKind.REGULATOR:
        raise Forbidden(
            "the enterprise page is for the enterprise's regulators and the enterprise "
            "itself; a bank reads the credit profile the enterprise consents to"
        )
    org = session.get(Organization, org_id)
    enterprise = org is not None and org.kind == OrgKind.ENTERPRISE.value
    if org is None or not enterprise or not supervises(caller, org.jurisdiction_path):
        raise NotFound(f"no enterprise {org_id}")
    return org


def enterprise_overview(session: Session, caller: Caller, org_id: int) -> EnterpriseOverview:
    """Everything the enterprise page shows, as `caller` may read it."""
    org = readable_enterprise(session, caller, org_id)
    today = business_date()
    regulator = caller.org_kind is OrgKind.REGULATOR
    return EnterpriseOverview(
        as_of=today,
        identity=identity(session, org, today),
        class_history=[ClassOut.model_validate(r) for r in history_of(session, org.id)],
        documents=enterprise_documents(session, org.id),
        financings=financing_summary.enterprise_summary(session, org.id),
        payments=payments_summary.enterprise_summary(session, org.id),
        supervision=enterprise_supervision(session, caller, org.id) if regulator else None,
        regulatory_records=records_of(session, org.id),
        consents=enterprise_consents(session, org.id),
    )


def identity(session: Session, org: Organization, today: date) -> Identity:
    path = seat_path(session, org.jurisdiction_path)
    return Identity(
        id=org.id,
        name=org.name,
        name_zh=org.name_zh,
        uscc=org.uscc,
        customs_code=org.customs_code,
        size=org.size or "unknown",
        onboarded=business_date(org.created_at),
        county=path[-1] if path else None,
        path=path,
        trade_class=class_on(session, org.id, today),
    )


def seat_path(session: Session, jurisdiction_path: str | None) -> list[Division]:
    """The divisions of a seat's path, top down, the head-office root left out."""
    codes = [c for c in (jurisdiction_path or "").strip("/").split("/") if c and c != ROOT]
    if not codes:
        return []
    rows = {
        j.code: j for j in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(codes)))
    }
    return [
        Division(code=c, name_en=rows[c].name_en, name_zh=rows[c].name_zh)
        for c in codes
        if c in rows
    ]
