"""The `financing-above-exports` rule: a firm financed beyond X % of what it exported.

Judged when a financing registers, in the registration's transaction: the firm's exports are
the value of its export customs declarations (I/E flag 0, digit 9 of the number) whose
export date lies in the 12 months before today, in USD; its financing is the new one plus
every live financing of the firm (registered, approved, disbursed, partly repaid: the
amount not yet repaid), in USD. Above the rule's `percent` of the exports, one alert names
the new financing and the live ones. A firm with no export declaration on the platform is
not judged (nothing to compare with), nor an amount without a USD rate in the daily table
(docs/supervision.md, "Alert rules").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import ValidationFailed
from crossfin.core.money import currency_exponent, format_amount
from crossfin.documents.fx import conversion
from crossfin.documents.models import Document, DocumentVersion
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import Rule, rule_for
from crossfin.parties.alerts import AlertKind, evidence, raise_alert

LIVE = (State.REGISTERED, State.APPROVED, State.DISBURSED, State.PARTLY_REPAID)
MAX_LISTED = 20


def usd(session: Session, minor: int, currency: str) -> Decimal | None:
    """`minor` units of `currency` in USD (a Decimal), or None without a rate."""
    amount = Decimal(minor).scaleb(-currency_exponent(currency))
    try:
        rate = conversion(session, currency, "USD", {}, business_date()).rate
    except ValidationFailed:
        return None
    return amount * (rate if rate is not None else 1)


def exportsusd(session: Session, enterprise_id: int) -> tuple[Decimal, int] | None:
    """The firm's 12-month export value in USD and how many declarations; None if none."""
    since = business_date() - timedelta(days=365)
    rows = session.execute(
        select(Document.key, Document.value_minor, Document.currency, DocumentVersion.content)
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version == Document.version),
        )
        .where(Document.owner_org_id == enterprise_id, Document.kind == "customs_declaration")
    ).all()
    total, count = Decimal(0), 0
    for key, value, currency, content in rows:
        if len(key) < 9 or key[8] != "0" or value is None or currency is None:
            continue  # an import declaration, or one without a value
        if json.loads(content).get("export_date", "") < since.isoformat():
            continue
        amount = usd(session, value, currency)
        if amount is not None:
            total, count = total + amount, count + 1
    return (total, count) if count else None


def check_above_exports(uow: UnitOfWork, financings: Iterable[Financing]) -> None:
    """Raise the alert for each new financing that takes its firm above the rule (each
    firm's exports and each seat's rule read once per batch)."""
    rules: dict[str | None, Rule] = {}
    firms: dict[int, tuple[Decimal, int] | None] = {}
    for financing in financings:
        path = financing.jurisdiction_path
        if path not in rules:
            rules[path] = rule_for(uow.session, AlertKind.ABOVE_EXPORTS, path)
        rule = rules[path]
        if not rule.enabled:
            continue
        firm = financing.enterprise_org_id
        if firm not in firms:
            firms[firm] = exportsusd(uow.session, firm)
        exports = firms[firm]
        if exports is None:
            continue
        live = list(
            uow.session.scalars(
                select(Financing)
                .where(
                    Financing.enterprise_org_id == financing.enterprise_org_id,
                    Financing.state.in_([s.value for s in LIVE]),
                )
                .order_by(Financing.id.desc())
            )
        )
        financed = Decimal(0)
        for row in live:
            financed += usd(uow.session, row.amount_minor - row.repaid_minor, row.currency) or 0
        limit = exports[0] * rule.number("percent") / 100
        if financed <= limit:
            continue
        raise_alert(
            uow,
            AlertKind.ABOVE_EXPORTS,
            subject_org_id=financing.enterprise_org_id,
            jurisdiction_path=financing.jurisdiction_path,
            actor_org_id=financing.bank_org_id,
            details={
                "financing": financing.id,
                "financed_usd": format_amount(int(financed * 100), "USD"),
                "exports_usd": format_amount(int(exports[0] * 100), "USD"),
                "declarations": exports[1],
                "percent": str(rule.number("percent")),
            },
            records=[evidence("financing", f.id, f.external_ref) for f in live[:MAX_LISTED]],
            rule=rule,
        )
