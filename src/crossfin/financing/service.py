"""Registering a financing: the scenario's plan, conversion, caps, and the one balance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import AlreadyExists, FieldError, ValidationFailed, invalid
from crossfin.core.money import format_amount, parse_amount
from crossfin.core.uow import UnitOfWork
from crossfin.documents.models import Document, DocumentVersion
from crossfin.financing import fx
from crossfin.financing.balance import Claim, apply_claims, lock_balances, shortfalls
from crossfin.financing.clock import stamp
from crossfin.financing.errors import Attempt, FinancingRefused, ScenarioLimitExceeded
from crossfin.financing.lifecycle import State
from crossfin.financing.models import Financing
from crossfin.financing.scenarios.base import Loaded, Request, Scenario
from crossfin.financing.scenarios.registry import get_scenario
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.parties.access import Caller, require_kind, require_role
from crossfin.parties.models import Organization, OrgKind, Role

# Business dates (due dates, policy validity) are Chinese calendar dates.
_CHINA = timedelta(hours=8)
DEFAULT_RESERVATION_HOURS = 72


def business_date(now: datetime | None = None) -> date:
    """Today's date in China Standard Time."""
    return ((now or utcnow()) + _CHINA).date()


def money_in(text: str, currency: str, field: str, *, positive: bool = True) -> int:
    """Parse a decimal amount string in `currency`; ValidationFailed naming `field`."""
    try:
        minor = parse_amount(text, currency)
    except ValueError as exc:
        raise invalid(field, str(exc)) from None
    if positive and minor <= 0:
        raise invalid(field, "must be greater than zero")
    return minor


def register(uow: UnitOfWork, caller: Caller, data: FinancingIn,
             reservation_hours: int = DEFAULT_RESERVATION_HOURS) -> tuple[Financing, Receipt]:
    """A bank's maker registers an application: documents reserved in this transaction."""
    require_kind(caller, OrgKind.BANK)
    require_role(caller, Role.OPERATOR, Role.ADMIN)
    return open_financing(uow, data, bank_org_id=caller.org_id,
                          maker_principal_id=caller.principal_id,
                          reservation_hours=reservation_hours)


def open_financing(uow: UnitOfWork, data: FinancingIn, *, bank_org_id: int,
                   maker_principal_id: int | None, reservation_hours: int,
                   offer_id: int | None = None) -> tuple[Financing, Receipt]:
    """Check, reserve and record a registered financing (callers check permissions).

    Raises FinancingRefused (409) when a document's balance cannot carry it; the caller's
    transaction must then roll back and the attempt be recorded (refusals.py).
    """
    session = uow.session
    scenario = get_scenario(data.scenario)
    currency = currency_in(data.currency)
    amount = money_in(data.amount, currency, "amount")
    applicant = _applicant(session, data.enterprise_uscc)
    _check_ref_free(session, bank_org_id, data.external_ref)
    today = business_date()
    loaded = load_documents(session, data.documents, currency)
    claims = scenario.plan(Request(applicant, amount, currency, today), loaded)
    convert_claims(session, scenario, claims, currency, fx.parse_given(data.fx_rates), today)
    balances = lock_balances(session, [c.document.id for c in claims])
    short = shortfalls(balances, claims)
    if short:
        raise FinancingRefused.of(Attempt(
            bank_org_id, applicant.id, applicant.jurisdiction_path, scenario.name,
            data.external_ref, format_amount(amount, currency), currency, tuple(short)))
    now = utcnow()
    financing = Financing(
        bank_org_id=bank_org_id, enterprise_org_id=applicant.id,
        insurer_org_id=next(iter(sorted(scenario.watchers(loaded))), None),
        jurisdiction_path=applicant.jurisdiction_path, scenario=scenario.name,
        external_ref=data.external_ref, state=State.REGISTERED.value, overdue=False,
        amount_minor=amount, currency=currency, disbursed_minor=0, repaid_minor=0,
        rate=data.rate, due_date=data.due_date, maker_principal_id=maker_principal_id,
        reserved_until=now + timedelta(hours=reservation_hours), offer_id=offer_id,
        change_seq=0, created_at=now, updated_at=now)
    session.add(financing)
    session.flush()
    apply_claims(session, balances, financing.id, claims)
    receipt = uow.record(
        EventType.FINANCING_REGISTERED, subjects={"financing": financing.id},
        content=_registered_content(financing, applicant, claims),
        parties=parties_of(financing) | scenario.watchers(loaded))
    stamp(session, financing)
    return financing, receipt


def parties_of(financing: Financing) -> set[int]:
    """Organizations entitled to read a financing's ledger records."""
    found = {financing.bank_org_id, financing.enterprise_org_id}
    if financing.insurer_org_id is not None:
        found.add(financing.insurer_org_id)
    return found


def currency_in(code: str) -> str:
    from crossfin.core.money import currency_exponent

    try:
        currency_exponent(code)
    except ValueError as exc:
        raise invalid("currency", str(exc)) from None
    return code


def _applicant(session: Session, uscc: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.uscc == uscc))
    if org is None or org.kind != OrgKind.ENTERPRISE.value:
        raise invalid("enterprise_uscc", "no enterprise with this USCC is on the platform")
    return org


def _check_ref_free(session: Session, bank_org_id: int, external_ref: str) -> None:
    taken = session.scalar(select(Financing.id).where(
        Financing.bank_org_id == bank_org_id, Financing.external_ref == external_ref))
    if taken is not None:
        raise AlreadyExists("this bank already has a financing with this external_ref",
                            field="external_ref", financing_id=taken)


def load_documents(session: Session, shares: Sequence[DocumentShareIn],
                   currency: str) -> list[Loaded]:
    """The named documents with their current content; every unknown one is named."""
    wanted = [(s.kind, s.key) for s in shares]
    errors = [FieldError(f"documents[{i}]", "named twice")
              for i, ref in enumerate(wanted) if ref in wanted[:i]]
    query = (select(Document, DocumentVersion.content)
             .join(DocumentVersion, (DocumentVersion.document_id == Document.id)
                   & (DocumentVersion.version == Document.version))
             .where(Document.kind.in_({k for k, _ in wanted}),
                    Document.key.in_({k for _, k in wanted})))
    found = {(doc.kind, doc.key): (doc, content) for doc, content in session.execute(query)}
    loaded: list[Loaded] = []
    for i, share in enumerate(shares):
        hit = found.get((share.kind, share.key))
        if hit is None:
            errors.append(FieldError(f"documents[{i}]", f"no {share.kind} {share.key} on "
                                                        f"the platform"))
            continue
        amount = (money_in(share.amount, currency, f"documents[{i}].amount")
                  if share.amount is not None else None)
        loaded.append(Loaded(hit[0], json.loads(hit[1]), i, amount))
    if errors:
        raise ValidationFailed(errors)
    return loaded


def convert_claims(session: Session, scenario: Scenario, claims: Sequence[Claim],
                   currency: str, given: dict, today: date) -> None:  # type: ignore[type-arg]
    """Put each claim in its document's currency (rounded up) and apply the scenario's cap."""
    for claim in claims:
        doc = claim.document
        conversion = fx.conversion(session, currency, doc.currency, given, today)
        converted = conversion.apply(claim.allocated_minor, currency, doc.currency)
        cap = scenario.usable_minor(claim)
        if cap is not None and converted > cap:
            raise ScenarioLimitExceeded(
                f"{scenario.name} may use at most {format_amount(cap, doc.currency)} "
                f"{doc.currency} of {doc.kind} {doc.key}; this asks "
                f"{format_amount(converted, doc.currency)}",
                document={"kind": doc.kind, "key": doc.key, "currency": doc.currency,
                          "cap": format_amount(cap, doc.currency),
                          "requested": format_amount(converted, doc.currency)})
        claim.reserved_minor = doc.value_minor if doc.single_use else converted
        claim.fx_rate, claim.fx_source = conversion.rate_text, conversion.source


def _doc_amount(minor: int, currency: str) -> str:
    return format_amount(minor, currency) if currency else str(minor)


def _registered_content(financing: Financing, applicant: Organization,
                        claims: Sequence[Claim]) -> dict[str, object]:
    return {
        "scenario": financing.scenario, "external_ref": financing.external_ref,
        "bank": financing.bank_org_id, "enterprise": applicant.uscc,
        "amount": format_amount(financing.amount_minor, financing.currency),
        "currency": financing.currency, "reserved_until": financing.reserved_until,
        "offer": financing.offer_id,
        "documents": [{"kind": c.document.kind, "key": c.document.key, "role": c.role,
                       "allocated": format_amount(c.allocated_minor, financing.currency),
                       "reserved": _doc_amount(c.reserved_minor, c.document.currency),
                       "currency": c.document.currency, "fx_rate": c.fx_rate,
                       "fx_source": c.fx_source, "note": c.note} for c in claims],
    }
