"""F2 authorized credit query: a consented bank reads an enterprise's credit profile.

The profile aggregates what the platform knows: identity, the class and its history,
12-month export and import volumes from customs declarations (by currency), financing
totals across all banks (never naming a bank), the overdue history, and the regulatory
records (parties/records.py: what closed cases found; never an alert, an open case or a
note). Every query is stored, listed to the enterprise, and recorded in the ledger with
the digest of the profile returned.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.canonical import content_digest
from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import NotFound
from crossfin.core.money import format_amount
from crossfin.documents.access.consent import active_consent
from crossfin.documents.models import Document, DocumentVersion
from crossfin.financing.lifecycle import HOLDING, State
from crossfin.financing.market.models import CreditQuery
from crossfin.financing.models import Financing
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import ROOT_PATH, Caller, require_kind
from crossfin.parties.classes.history import class_on, history_of
from crossfin.parties.models import Organization, OrgKind
from crossfin.parties.records import records_of

SCOPE = "credit_profile"
_UNGRANTED = frozenset({State.REJECTED.value, State.CANCELLED.value, State.EXPIRED.value})


def query_profile(
    uow: UnitOfWork, caller: Caller, enterprise_uscc: str, purpose: str | None
) -> tuple[dict[str, Any], CreditQuery, Receipt]:
    """The profile, if the enterprise consented; 404 otherwise (existence never leaks)."""
    require_kind(caller, OrgKind.BANK)
    session = uow.session
    org = session.scalar(
        select(Organization).where(
            Organization.uscc == enterprise_uscc, Organization.kind == "enterprise"
        )
    )
    consent = active_consent(session, org.id, caller.org_id, SCOPE) if org else None
    if org is None or consent is None:
        raise NotFound(
            "no enterprise with this USCC has given your bank an active credit_profile consent"
        )
    profile = build_profile(session, org, business_date())
    digest = content_digest(profile)
    row = CreditQuery(
        bank_org_id=caller.org_id,
        enterprise_org_id=org.id,
        principal_id=caller.principal_id,
        consent_id=consent.id,
        purpose=purpose,
        profile_digest=digest,
        queried_at=utcnow(),
    )
    session.add(row)
    session.flush()
    receipt = uow.record(
        EventType.CREDIT_QUERIED,
        subjects={"credit_query": row.id},
        content={
            "enterprise": org.uscc,
            "consent": consent.id,
            "purpose": purpose,
            "profile_digest": digest,
        },
        parties={caller.org_id, org.id},
    )
    return profile, row, receipt


def build_profile(session: Session, org: Organization, today: date) -> dict[str, Any]:
    """The aggregated credit profile of `org` as of `today`."""
    return {
        "as_of": today.isoformat(),
        "identity": {
            "name": org.name,
            "name_zh": org.name_zh,
            "uscc": org.uscc,
            "jurisdiction": org.jurisdiction_code,
            "size": org.size,
            "onboarded": org.created_at.date().isoformat(),
        },
        "trade_class": class_on(session, org.id, today),
        "class_history": class_history(session, org.id),
        "trade_volumes_12m": trade_volumes(session, org, today),
        "financing": financing_totals(session, org.id),
        "overdue": overdue_history(session, org.id),
        "regulatory_records": [r.model_dump(mode="json") for r in records_of(session, org.id)],
    }


def class_history(session: Session, org_id: int) -> list[dict[str, Any]]:
    """Each classification, newest in force first: the class, from when, the evaluation
    and its reason; not who decided it, nor which import brought it."""
    return [
        {
            "trade_class": row.trade_class,
            "effective_from": row.effective_from.isoformat(),
            "period": row.period,
            "reason": row.reason,
            "source": row.source.split(":", 1)[0],  # import:<id> -> import
        }
        for row in history_of(session, org_id)
    ]


def trade_volumes(session: Session, org: Organization, today: date) -> dict[str, Any]:
    """Export and import declaration totals of the last 12 months, by currency."""
    since = today - timedelta(days=365)
    query = (
        select(Document.key, Document.value_minor, Document.currency, DocumentVersion.content)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version == Document.version),
        )
        .where(Document.kind == "customs_declaration", Document.owner_uscc == (org.uscc or "-"))
    )
    totals: dict[str, dict[str, list[int]]] = {"export": {}, "import": {}}
    for key, value, currency, content in session.execute(query):
        day = date.fromisoformat(json.loads(content)["export_date"])
        if not since <= day <= today:
            continue
        bucket = totals["export" if key[8] == "0" else "import"].setdefault(currency, [0, 0])
        bucket[0] += 1
        bucket[1] += value
    return {
        flow: [
            {"currency": c, "declarations": n, "total": format_amount(v, c)}
            for c, (n, v) in sorted(per.items())
        ]
        for flow, per in totals.items()
    }


def financing_totals(session: Session, org_id: int) -> dict[str, Any]:
    """Active and 12-month financing across all banks, by currency; no bank is named."""
    since = utcnow() - timedelta(days=365)
    rows = session.execute(
        select(
            Financing.currency,
            Financing.state,
            Financing.bank_org_id,
            Financing.amount_minor,
            Financing.disbursed_minor,
            Financing.repaid_minor,
            Financing.created_at,
        ).where(Financing.enterprise_org_id == org_id)
    ).all()
    active: dict[str, list[int]] = {}
    recent: dict[str, list[int]] = {}
    banks = set()
    for ccy, state, bank, amount, disbursed, repaid, created in rows:
        if state in {s.value for s in HOLDING}:
            bucket = active.setdefault(ccy, [0, 0, 0])
            bucket[0] += 1
            bucket[1] += amount
            bucket[2] += disbursed - repaid
            banks.add(bank)
        if created >= since and state not in _UNGRANTED:
            entry = recent.setdefault(ccy, [0, 0])
            entry[0] += 1
            entry[1] += amount
    return {
        "active": [
            {
                "currency": c,
                "financings": n,
                "amount": format_amount(a, c),
                "outstanding": format_amount(o, c),
            }
            for c, (n, a, o) in sorted(active.items())
        ],
        "granted_12m": [
            {"currency": c, "financings": n, "amount": format_amount(a, c)}
            for c, (n, a) in sorted(recent.items())
        ],
        "banks_with_active_financing": len(banks),
    }


def overdue_history(session: Session, org_id: int) -> dict[str, Any]:
    """Loans ever overdue, those overdue now (with outstanding by currency), the latest."""
    ever = (
        session.scalar(
            select(func.count()).where(
                Financing.enterprise_org_id == org_id, Financing.overdue_since.is_not(None)
            )
        )
        or 0
    )
    latest = session.scalar(
        select(func.max(Financing.overdue_since)).where(Financing.enterprise_org_id == org_id)
    )
    now = session.execute(
        select(
            Financing.currency,
            func.count(),
            func.sum(Financing.disbursed_minor - Financing.repaid_minor),
        )
        .where(Financing.enterprise_org_id == org_id, Financing.overdue.is_(True))
        .group_by(Financing.currency)
    ).all()
    return {
        "ever_overdue": int(ever),
        "latest_overdue_since": latest.isoformat() if latest else None,
        "overdue_now": [
            {"currency": c, "financings": int(n), "outstanding": format_amount(int(o or 0), c)}
            for c, n, o in sorted(now)
        ],
    }


def list_queries(
    session: Session, caller: Caller, after: int, limit: int, newest_first: bool = False
) -> list[tuple[CreditQuery, str | None, str | None]]:
    """Queries about the enterprise (every one), by the bank, or in a regulator's subtree,
    after id `after`, oldest first (or the newest `limit`); each with the bank's name and
    the enterprise's USCC."""
    bank = (
        select(Organization.name)
        .where(Organization.id == CreditQuery.bank_org_id)
        .scalar_subquery()
    )
    firm = (
        select(Organization.uscc)
        .where(Organization.id == CreditQuery.enterprise_org_id)
        .scalar_subquery()
    )
    query = select(CreditQuery, bank, firm).where(CreditQuery.id > after)
    if caller.org_kind is OrgKind.ENTERPRISE:
        query = query.where(CreditQuery.enterprise_org_id == caller.org_id)
    elif caller.org_kind is OrgKind.BANK:
        query = query.where(CreditQuery.bank_org_id == caller.org_id)
    elif caller.org_kind is OrgKind.REGULATOR and caller.jurisdiction_path:
        if caller.jurisdiction_path != ROOT_PATH:
            inside = select(Organization.id).where(
                Organization.jurisdiction_path.startswith(caller.jurisdiction_path)
            )
            query = query.where(CreditQuery.enterprise_org_id.in_(inside))
    else:
        return []
    order = CreditQuery.id.desc() if newest_first else CreditQuery.id
    rows = session.execute(query.order_by(order).limit(limit)).all()
    return [(q, b, f) for q, b, f in rows]
