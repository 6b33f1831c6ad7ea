"""The `financing-above-exports` rule: a firm financed beyond X % of what it exported.

Judged when a financing registers, in the registration's transaction: the firm's exports are
the value of its export customs declarations (I/E flag 0, digit 9 of the number) whose
export date lies in the 12 months before today, in USD; its financing is the new one plus
every live financing of the firm (registered, approved, disbursed, partly repaid: the
amount not yet repaid), in USD. Above the rule's `percent` of the exports, one alert names
the new financing and the live ones. A firm with no export declaration on the platform is
not judged (nothing to compare with), nor an amount without a USD rate in the daily table
(docs/supervision.md, "Alert rules").

Set-based, so that enabling the rule costs a registration little whatever the firm's
history: one query sums the firm's trailing exports per currency (the export date read in
SQL), one sums its live financings per currency, one reads the USD rates of the
currencies found; the financings are listed only when the alert is raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.jsonsql import json_text
from crossfin.core.money import currency_exponent, format_amount
from crossfin.documents.fx import rates_to
from crossfin.documents.models import Document, DocumentVersion
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.alert_rules import Rule, rule_for
from crossfin.parties.alerts import AlertKind, evidence, raise_alert

LIVE = (State.REGISTERED, State.APPROVED, State.DISBURSED, State.PARTLY_REPAID)
MAX_LISTED = 20


@dataclass(frozen=True)
class Exports:
    """A firm's trailing 12-month exports in USD, and how many declarations made them."""

    usd: Decimal
    declarations: int


def usd_of(minor: int, currency: str, rates: dict[str, Decimal]) -> Decimal | None:
    """`minor` units of `currency` in USD at `rates` (`documents.fx.rates_to`), or None."""
    rate = rates.get(currency)
    if rate is None:
        return None
    return Decimal(minor).scaleb(-currency_exponent(currency)) * rate


def in_usd(
    totals: Iterable[tuple[str, int]], rates: dict[str, Decimal]
) -> tuple[Decimal, set[str]]:
    """The sum of (currency, minor units) in USD, and the currencies that had a rate."""
    total, priced = Decimal(0), set()
    for currency, minor in totals:
        amount = usd_of(minor, currency, rates)
        if amount is not None:
            total += amount
            priced.add(currency)
    return total, priced


def exports_by_currency(
    session: Session, enterprise_id: int, on: date
) -> list[tuple[str, int, int]]:
    """(currency, minor units, declarations) of the firm's export declarations shipped in
    the 365 days before `on` (or later), one query."""
    since = (on - timedelta(days=365)).isoformat()
    shipped = json_text(DocumentVersion.content, "export_date")
    rows = session.execute(
        select(Document.currency, func.sum(Document.value_minor), func.count())
        .join(
            DocumentVersion,
            (DocumentVersion.document_id == Document.id)
            & (DocumentVersion.version == Document.version),
        )
        .where(
            Document.owner_org_id == enterprise_id,
            Document.kind == "customs_declaration",
            func.substr(Document.key, 9, 1) == "0",  # the I/E flag: an export
            shipped >= since,
        )
        .group_by(Document.currency)
    ).all()
    return [(c, int(v), int(n)) for c, v, n in rows]


def exports_usd(session: Session, enterprise_id: int, on: date | None = None) -> Exports | None:
    """The firm's 12-month exports in USD; None without a priced export declaration."""
    day = on or business_date()
    rows = exports_by_currency(session, enterprise_id, day)
    rates = rates_to(session, {c for c, _, _ in rows}, "USD", day)
    total, priced = in_usd(((c, v) for c, v, _ in rows), rates)
    count = sum(n for c, _, n in rows if c in priced)
    return Exports(total, count) if count else None


def financed_usd(session: Session, enterprise_id: int, on: date) -> Decimal:
    """What the firm's live financings have not repaid, in USD (one query, then rates)."""
    rows = session.execute(
        select(Financing.currency, func.sum(Financing.amount_minor - Financing.repaid_minor))
        .where(
            Financing.enterprise_org_id == enterprise_id,
            Financing.state.in_([s.value for s in LIVE]),
        )
        .group_by(Financing.currency)
    ).all()
    totals = [(c, int(v or 0)) for c, v in rows]
    return in_usd(totals, rates_to(session, {c for c, _ in totals}, "USD", on))[0]


def check_above_exports(uow: UnitOfWork, financings: Iterable[Financing]) -> None:
    """Raise the alert for each new financing that takes its firm above the rule (each
    firm's exports and each seat's rule read once per batch)."""
    rules: dict[str | None, Rule] = {}
    firms: dict[int, Exports | None] = {}
    today = business_date()
    for financing in financings:
        path = financing.jurisdiction_path
        if path not in rules:
            rules[path] = rule_for(uow.session, AlertKind.ABOVE_EXPORTS, path)
        rule = rules[path]
        if not rule.enabled:
            continue
        firm = financing.enterprise_org_id
        if firm not in firms:
            firms[firm] = exports_usd(uow.session, firm, today)
        exports = firms[firm]
        if exports is None:
            continue
        financed = financed_usd(uow.session, firm, today)
        if financed <= exports.usd * rule.number("percent") / 100:
            continue
        _raise(uow, financing, rule, exports, financed)


def _raise(
    uow: UnitOfWork, financing: Financing, rule: Rule, exports: Exports, financed: Decimal
) -> None:
    live = uow.session.execute(
        select(Financing.id, Financing.external_ref)
        .where(
            Financing.enterprise_org_id == financing.enterprise_org_id,
            Financing.state.in_([s.value for s in LIVE]),
        )
        .order_by(Financing.id.desc())
        .limit(MAX_LISTED)
    ).all()
    raise_alert(
        uow,
        AlertKind.ABOVE_EXPORTS,
        subject_org_id=financing.enterprise_org_id,
        jurisdiction_path=financing.jurisdiction_path,
        actor_org_id=financing.bank_org_id,
        details={
            "financing": financing.id,
            "financed_usd": format_amount(int(financed * 100), "USD"),
            "exports_usd": format_amount(int(exports.usd * 100), "USD"),
            "declarations": exports.declarations,
            "percent": str(rule.number("percent")),
        },
        records=[evidence("financing", fid, ref) for fid, ref in live],
        rule=rule,
    )
