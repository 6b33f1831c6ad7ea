"""Who sees which payment, and payments as answers.

A bank sees its own payments, the payer enterprise its own, a regulator those whose payer
sits in its subtree (auditors of these read the same, and only read); the operator runs the
platform, not the parties' business, and sees none.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from crossfin.core.errors import NotFound
from crossfin.core.money import format_amount
from crossfin.documents.models import Document
from crossfin.parties.access import Caller, supervised, supervises
from crossfin.parties.models import Organization, OrgKind
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.schemas import PayeeIn, PaymentOut, PaymentUseOut

MAX_PAGE = 500


def can_see(session: Session, caller: Caller, payment: Payment) -> bool:
    if caller.org_id in (payment.bank_org_id, payment.payer_org_id):
        return True
    return supervises(caller, payment.jurisdiction_path)


def _visible(caller: Caller) -> ColumnElement[bool]:
    if caller.org_kind is OrgKind.BANK:
        return Payment.bank_org_id == caller.org_id
    if caller.org_kind is OrgKind.ENTERPRISE:
        return Payment.payer_org_id == caller.org_id
    return supervised(caller, Payment.jurisdiction_path)


def get_payment(session: Session, caller: Caller, payment_id: int) -> Payment:
    """The payment if the caller may see it; otherwise 404 (existence never leaks)."""
    payment = session.get(Payment, payment_id)
    if payment is None or not can_see(session, caller, payment):
        raise NotFound(f"no payment {payment_id}")
    return payment


def list_payments(
    session: Session,
    caller: Caller,
    *,
    after: int = 0,
    limit: int = 100,
    state: str | None = None,
    scenario: str | None = None,
    document: tuple[str, str] | None = None,
    newest_first: bool = False,
) -> list[Payment]:
    """The payments the caller sees, by id after `after` (or the newest first)."""
    query = select(Payment).where(_visible(caller), Payment.id > after)
    if state:
        query = query.where(Payment.state == state)
    if scenario:
        query = query.where(Payment.scenario == scenario)
    if document is not None:
        uses = (
            select(PaymentUse.payment_id)
            .join(Document, Document.id == PaymentUse.document_id)
            .where(Document.kind == document[0], Document.key == document[1])
        )
        query = query.where(Payment.id.in_(uses))
    order = Payment.id.desc() if newest_first else Payment.id
    query = query.order_by(order).limit(min(max(limit, 1), MAX_PAGE))
    return list(session.scalars(query))


def to_out(session: Session, payments: Sequence[Payment]) -> list[PaymentOut]:
    """Answers for `payments`, with each document's use (batched reads)."""
    if not payments:
        return []
    ids = [p.id for p in payments]
    rows = session.execute(
        select(PaymentUse, Document.kind, Document.key)
        .join(Document, Document.id == PaymentUse.document_id)
        .where(PaymentUse.payment_id.in_(ids))
        .order_by(PaymentUse.payment_id, PaymentUse.document_id)
    ).all()
    uses: dict[int, list[PaymentUseOut]] = {}
    for use, kind, key in rows:
        uses.setdefault(use.payment_id, []).append(
            PaymentUseOut(
                kind=kind,
                key=key,
                used=format_amount(use.used_minor, use.currency),
                currency=use.currency,
                active=use.active,
            )
        )
    payer_ids = {p.payer_org_id for p in payments}
    found = session.execute(
        select(Organization.id, Organization.uscc).where(Organization.id.in_(payer_ids))
    )
    usccs = {org_id: uscc for org_id, uscc in found}
    return [
        PaymentOut(
            id=p.id,
            scenario=p.scenario,
            external_ref=p.external_ref,
            state=p.state,
            bank_org_id=p.bank_org_id,
            payer_org_id=p.payer_org_id,
            payer_uscc=usccs.get(p.payer_org_id),
            trade_class=p.trade_class,
            treatment=p.treatment,
            payee=PayeeIn(
                name=p.payee_name, country=p.payee_country, account=p.payee_account, bic=p.payee_bic
            ),
            amount=format_amount(p.amount_minor, p.currency),
            currency=p.currency,
            usd_equivalent=format_amount(p.usd_minor, "USD"),
            usd_rate=p.usd_rate,
            usd_rate_source=p.usd_rate_source,
            value_date=p.value_date,
            purpose_code=p.purpose_code,
            documents=uses.get(p.id, []),
            created_at=p.created_at,
        )
        for p in payments
    ]
