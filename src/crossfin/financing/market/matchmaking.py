"""F7 bank-enterprise matchmaking: needs, offers, and acceptance into an application.

An enterprise publishes a need with the documents it can offer; banks serving a node above
its county see it and make offers; accepting one opens a registered financing in the
scenario the documents fit (F4 with a policy, F5 with a B/L or warehouse receipt, else F1),
reserving the documents like any registration, and declines the other offers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import (
    AlreadyExists,
    FieldError,
    Forbidden,
    IllegalTransition,
    NotFound,
    ValidationFailed,
    invalid,
)
from crossfin.core.money import format_amount
from crossfin.documents.models import Document
from crossfin.financing.market.expiry import check_open, need_expiry, status_filter
from crossfin.financing.market.models import FinancingNeed, FinancingOffer
from crossfin.financing.market.schemas import AcceptIn, NeedIn, OfferIn
from crossfin.financing.models import Financing
from crossfin.financing.scenarios.registry import scenario_for_kinds
from crossfin.financing.schemas import DocumentShareIn, FinancingIn
from crossfin.financing.service import currency_in, money_in, open_financing
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import (
    ROOT_PATH,
    Caller,
    require_kind,
    require_role,
    supervises,
)
from crossfin.parties.classes.history import class_on
from crossfin.parties.gates import current_table, enforce
from crossfin.parties.models import (
    BankJurisdiction,
    Jurisdiction,
    Organization,
    OrgKind,
    Role,
)


class NeedStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # shown for an open need past its last day, never stored (expiry.py)


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


def publish_need(uow: UnitOfWork, caller: Caller, data: NeedIn) -> tuple[FinancingNeed, Receipt]:
    """An enterprise publishes a need; its documents must be its own and fit a scenario."""
    require_kind(caller, OrgKind.ENTERPRISE)
    require_role(caller, Role.OPERATOR, Role.ADMIN)
    session = uow.session
    currency = currency_in(data.currency)
    amount = money_in(data.amount, currency, "amount")
    org = session.get(Organization, caller.org_id)
    assert org is not None
    klass = class_on(session, org.id, business_date())
    enforce(current_table(session), org, "F7", trade_class=klass)  # C: no matchmaking (403)
    _check_own_documents(session, org, data)
    scenario_for_kinds([d.kind for d in data.documents])
    expires_on, caps = need_expiry(session, data.expires_on, business_date())
    now = utcnow()
    need = FinancingNeed(
        enterprise_org_id=org.id,
        jurisdiction_path=org.jurisdiction_path,
        amount_minor=amount,
        currency=currency,
        tenor_days=data.tenor_days,
        purpose=data.purpose,
        status=NeedStatus.OPEN.value,
        documents=json.dumps([d.model_dump() for d in data.documents]),
        expires_on=expires_on,
        created_at=now,
        updated_at=now,
    )
    session.add(need)
    session.flush()
    receipt = uow.record(
        EventType.NEED_PUBLISHED,
        subjects={"need": need.id},
        content=data.model_dump(mode="json")
        | {"expires_on": expires_on.isoformat(), "caps": caps.named()},
        parties={org.id},
    )
    return need, receipt


def _check_own_documents(session: Session, org: Organization, data: NeedIn) -> None:
    errors = []
    for i, ref in enumerate(data.documents):
        doc = session.scalar(
            select(Document).where(Document.kind == ref.kind, Document.key == ref.key)
        )
        if doc is None or doc.owner_uscc != org.uscc:
            errors.append(FieldError(f"documents[{i}]", "not a document of yours"))
    if errors:
        raise ValidationFailed(errors)


def served_paths(session: Session, bank_org_id: int) -> list[str]:
    """Jurisdiction paths a bank serves (each with its subtree)."""
    query = (
        select(Jurisdiction.path)
        .join(BankJurisdiction, BankJurisdiction.code == Jurisdiction.code)
        .where(BankJurisdiction.org_id == bank_org_id)
    )
    return list(session.scalars(query))


def can_see_need(session: Session, caller: Caller, need: FinancingNeed) -> bool:
    """The enterprise, banks serving its county, regulators over it."""
    if caller.org_id == need.enterprise_org_id:
        return True
    if caller.org_kind is OrgKind.BANK:
        path = need.jurisdiction_path or ""
        return any(path.startswith(p) for p in served_paths(session, caller.org_id))
    return supervises(caller, need.jurisdiction_path)


def get_need(
    session: Session, caller: Caller, need_id: int, *, lock: bool = False
) -> FinancingNeed:
    query = select(FinancingNeed).where(FinancingNeed.id == need_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    need = session.scalar(query)
    if need is None or not can_see_need(session, caller, need):
        raise NotFound(f"no financing need {need_id}")
    return need


def list_needs(
    session: Session,
    caller: Caller,
    status: str | None,
    after: int,
    limit: int,
    newest_first: bool = False,
) -> list[FinancingNeed]:
    """Needs the caller sees after id `after`, oldest first (or the newest `limit`)."""
    query = select(FinancingNeed).where(FinancingNeed.id > after)
    if status:
        query = query.where(status_filter(status, business_date()))
    if caller.org_kind is OrgKind.ENTERPRISE:
        query = query.where(FinancingNeed.enterprise_org_id == caller.org_id)
    elif caller.org_kind is OrgKind.BANK:
        paths = served_paths(session, caller.org_id) or ["-"]
        clause = FinancingNeed.jurisdiction_path.startswith(paths[0])
        for path in paths[1:]:
            clause = clause | FinancingNeed.jurisdiction_path.startswith(path)
        query = query.where(clause)
    elif caller.org_kind is OrgKind.REGULATOR and caller.jurisdiction_path:
        if caller.jurisdiction_path != ROOT_PATH:
            query = query.where(
                FinancingNeed.jurisdiction_path.startswith(caller.jurisdiction_path)
            )
    else:
        return []
    order = FinancingNeed.id.desc() if newest_first else FinancingNeed.id
    return list(session.scalars(query.order_by(order).limit(limit)))


def make_offer(
    uow: UnitOfWork, caller: Caller, need_id: int, data: OfferIn
) -> tuple[FinancingOffer, Receipt]:
    """A bank serving the need's jurisdiction offers; one open offer per bank and need."""
    require_kind(caller, OrgKind.BANK)
    require_role(caller, Role.OPERATOR, Role.ADMIN, Role.APPROVER)
    session = uow.session
    need = get_need(session, caller, need_id, lock=True)
    if need.status != NeedStatus.OPEN.value:
        raise IllegalTransition(f"the need is {need.status}", state=need.status)
    check_open(need, business_date())
    mine = session.scalar(
        select(FinancingOffer.id).where(
            FinancingOffer.need_id == need.id,
            FinancingOffer.bank_org_id == caller.org_id,
            FinancingOffer.status == OfferStatus.OPEN.value,
        )
    )
    if mine is not None:
        raise AlreadyExists("your bank already has an open offer on this need", offer=mine)
    currency = currency_in(data.currency)
    now = utcnow()
    offer = FinancingOffer(
        need_id=need.id,
        bank_org_id=caller.org_id,
        currency=currency,
        amount_minor=money_in(data.amount, currency, "amount"),
        rate=data.rate,
        tenor_days=data.tenor_days,
        note=data.note,
        status=OfferStatus.OPEN.value,
        created_at=now,
        updated_at=now,
    )
    session.add(offer)
    session.flush()
    receipt = uow.record(
        EventType.OFFER_MADE,
        subjects={"need": need.id, "offer": offer.id},
        content=data.model_dump(mode="json"),
        parties={caller.org_id, need.enterprise_org_id},
    )
    return offer, receipt


def list_offers(session: Session, caller: Caller, need_id: int) -> list[FinancingOffer]:
    """The enterprise sees every offer on its need; a bank only its own."""
    need = get_need(session, caller, need_id)
    return offers_on(session, caller, [need])[need.id]


def offers_on(
    session: Session, caller: Caller, needs: Sequence[FinancingNeed]
) -> dict[int, list[FinancingOffer]]:
    """The offers the caller sees on each of `needs` (needs it may see), in one query."""
    found: dict[int, list[FinancingOffer]] = {need.id: [] for need in needs}
    if not found:
        return found
    query = select(FinancingOffer).where(FinancingOffer.need_id.in_(found))
    if caller.org_kind is OrgKind.BANK:  # a bank never publishes needs: only its own offers
        query = query.where(FinancingOffer.bank_org_id == caller.org_id)
    for offer in session.scalars(query.order_by(FinancingOffer.id)):
        found[offer.need_id].append(offer)
    return found


def _offer(session: Session, offer_id: int) -> FinancingOffer:
    query = (
        select(FinancingOffer)
        .where(FinancingOffer.id == offer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    offer = session.scalar(query)
    if offer is None:
        raise NotFound(f"no offer {offer_id}")
    return offer


def accept_offer(
    uow: UnitOfWork, caller: Caller, offer_id: int, data: AcceptIn, reservation_hours: int
) -> tuple[FinancingOffer, Financing, Receipt]:
    """The enterprise accepts: a registered financing opens, the other offers are declined."""
    require_kind(caller, OrgKind.ENTERPRISE)
    require_role(caller, Role.OPERATOR, Role.ADMIN)
    session = uow.session
    missing = NotFound(f"no offer {offer_id}")  # one answer: no such offer, or not yours
    need_id = session.scalar(select(FinancingOffer.need_id).where(FinancingOffer.id == offer_id))
    if need_id is None:
        raise missing
    try:
        need = get_need(session, caller, need_id, lock=True)  # serialises acceptances
    except NotFound:
        raise missing from None
    if need.enterprise_org_id != caller.org_id:
        raise missing
    offer = _offer(session, offer_id)
    for thing, status in ((need, need.status), (offer, offer.status)):
        if status != "open":
            raise IllegalTransition(f"the {_name(thing)} is {status}", state=status)
    check_open(need, business_date())
    financing, _ = open_financing(
        uow,
        _application(session, need, offer, data),
        bank_org_id=offer.bank_org_id,
        maker_principal_id=None,
        reservation_hours=reservation_hours,
        offer_id=offer.id,
    )
    now = utcnow()
    offer.status, offer.financing_id, offer.updated_at = (
        OfferStatus.ACCEPTED.value,
        financing.id,
        now,
    )
    need.status, need.accepted_offer_id, need.updated_at = NeedStatus.ACCEPTED.value, offer.id, now
    _decline_others(uow, need, keep=offer.id)
    receipt = uow.record(
        EventType.OFFER_ACCEPTED,
        subjects={"need": need.id, "offer": offer.id, "financing": financing.id},
        content={"offer": offer.id, "financing": financing.id},
        parties={offer.bank_org_id, need.enterprise_org_id},
    )
    return offer, financing, receipt


def _name(thing: Any) -> str:
    return "need" if isinstance(thing, FinancingNeed) else "offer"


def _application(
    session: Session, need: FinancingNeed, offer: FinancingOffer, data: AcceptIn
) -> FinancingIn:
    org = session.get(Organization, need.enterprise_org_id)
    assert org is not None and org.uscc is not None
    docs = json.loads(need.documents)
    scenario = scenario_for_kinds([d["kind"] for d in docs])
    # The accepted offer's tenor sets the due date; the enterprise cannot pick another.
    due = business_date() + timedelta(days=offer.tenor_days)
    if data.due_date is not None and data.due_date != due:
        raise invalid(
            "due_date",
            f"the offer's tenor of {offer.tenor_days} days sets the due date to {due}",
        )
    return FinancingIn(
        scenario=scenario.name,
        external_ref=f"F7-offer-{offer.id}",
        enterprise_uscc=org.uscc,
        amount=format_amount(offer.amount_minor, offer.currency),
        currency=offer.currency,
        documents=[DocumentShareIn(kind=d["kind"], key=d["key"]) for d in docs],
        fx_rates=data.fx_rates,
        rate=offer.rate,
        due_date=due,
    )


def _decline_others(uow: UnitOfWork, need: FinancingNeed, keep: int | None) -> None:
    others = uow.session.scalars(
        select(FinancingOffer)
        .where(
            FinancingOffer.need_id == need.id,
            FinancingOffer.status == OfferStatus.OPEN.value,
            FinancingOffer.id != (keep or 0),
        )
        .order_by(FinancingOffer.id)
    )
    for other in others:
        other.status, other.updated_at = OfferStatus.DECLINED.value, utcnow()
        uow.record(
            EventType.OFFER_DECLINED,
            subjects={"need": need.id, "offer": other.id},
            content={"offer": other.id, "accepted": keep},
            parties={other.bank_org_id, need.enterprise_org_id},
        )


def withdraw_need(
    uow: UnitOfWork, caller: Caller, need_id: int, reason: str | None
) -> tuple[FinancingNeed, Receipt]:
    """The enterprise withdraws an open need; its open offers are declined."""
    require_kind(caller, OrgKind.ENTERPRISE)
    need = get_need(uow.session, caller, need_id, lock=True)
    if need.enterprise_org_id != caller.org_id:
        raise Forbidden("only the enterprise that published a need may withdraw it")
    require_role(caller, Role.OPERATOR, Role.ADMIN)  # as for publishing and accepting
    if need.status != NeedStatus.OPEN.value:
        raise IllegalTransition(f"the need is {need.status}", state=need.status)
    need.status, need.updated_at = NeedStatus.WITHDRAWN.value, utcnow()
    _decline_others(uow, need, keep=None)
    receipt = uow.record(
        EventType.NEED_WITHDRAWN,
        subjects={"need": need.id},
        content={"reason": reason},
        parties={need.enterprise_org_id},
    )
    return need, receipt


def withdraw_offer(
    uow: UnitOfWork, caller: Caller, offer_id: int, reason: str | None
) -> tuple[FinancingOffer, Receipt]:
    """A bank withdraws its open offer."""
    require_kind(caller, OrgKind.BANK)
    offer = _offer(uow.session, offer_id)
    if offer.bank_org_id != caller.org_id:
        raise NotFound(f"no offer {offer_id}")
    if offer.status != OfferStatus.OPEN.value:
        raise IllegalTransition(f"the offer is {offer.status}", state=offer.status)
    offer.status, offer.updated_at = OfferStatus.WITHDRAWN.value, utcnow()
    need = uow.session.get(FinancingNeed, offer.need_id)
    parties = {offer.bank_org_id} | ({need.enterprise_org_id} if need else set())
    receipt = uow.record(
        EventType.OFFER_WITHDRAWN,
        subjects={"offer": offer.id},
        content={"reason": reason},
        parties=parties,
    )
    return offer, receipt
