"""Moving a payment through its lifecycle: one function per action, one event each.

Approval is maker-checker (a different principal of the bank, with the approver role);
a return or a cancellation releases the payment's uses (`documents/balance.give_back`
under `lock_balances`, the locks financing takes). Each event commits to the payment's
full resulting state and to every balance it changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import utcnow
from crossfin.core.errors import Forbidden, MakerChecker, NotFound
from crossfin.core.money import format_amount
from crossfin.documents.balance import give_back, lock_balances
from crossfin.documents.models import Document, DocumentBalance
from crossfin.documents.state import balance_commitment
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.stats import upkeep as stats
from crossfin.payments.lifecycle import Action, rule_for
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.queries import can_see
from crossfin.payments.state import current_uses, payment_commitment
from crossfin.payments.stats import KIND, contribution


def locked(session: Session, payment_id: int) -> Payment | None:
    """The payment row, locked for this transaction (PostgreSQL FOR UPDATE), and what it
    adds to the statistics as it stands (every change of a payment starts here)."""
    query = select(Payment).where(Payment.id == payment_id).with_for_update()
    found = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if found is not None:
        stats.track(session, KIND, found.id, contribution(found))
    return found


def _own(uow: UnitOfWork, caller: Caller, payment_id: int, action: Action) -> Payment:
    """The caller's bank's payment, locked; 404 if unseen, 403 if seen but not its own."""
    payment = locked(uow.session, payment_id)
    if payment is None or not can_see(uow.session, caller, payment):
        raise NotFound(f"no payment {payment_id}")
    if caller.org_id != payment.bank_org_id:
        raise Forbidden("only the paying bank may change a payment")
    rule = rule_for(action, payment.state)
    if caller.role not in rule.roles:
        allowed = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"to {action.value} a payment needs the role {allowed}")
    return payment


def approve(
    uow: UnitOfWork, caller: Caller, payment_id: int, comment: str | None = None
) -> tuple[Payment, Receipt]:
    """The checker approves: a different principal of the same bank, with the approver role."""
    payment = _own(uow, caller, payment_id, Action.APPROVE)
    if payment.maker_principal_id == caller.principal_id:
        raise MakerChecker("the principal who submitted a payment cannot approve it")
    payment.approver_principal_id = caller.principal_id
    return _move(uow, payment, Action.APPROVE, {"comment": comment})


def pay(uow: UnitOfWork, caller: Caller, payment_id: int) -> tuple[Payment, Receipt]:
    """The bank has sent the funds."""
    payment = _own(uow, caller, payment_id, Action.PAY)
    return _move(uow, payment, Action.PAY, {"value_date": payment.value_date})


def return_payment(
    uow: UnitOfWork, caller: Caller, payment_id: int, reason: str
) -> tuple[Payment, Receipt]:
    """The funds came back: the documents are free again."""
    payment = _own(uow, caller, payment_id, Action.RETURN)
    payment.reason = reason
    return _move(uow, payment, Action.RETURN, {"reason": reason})


def cancel(
    uow: UnitOfWork, caller: Caller, payment_id: int, reason: str
) -> tuple[Payment, Receipt]:
    """The bank withdraws before paying: the documents are free again."""
    payment = _own(uow, caller, payment_id, Action.CANCEL)
    payment.reason = reason
    return _move(uow, payment, Action.CANCEL, {"reason": reason})


def _move(
    uow: UnitOfWork, payment: Payment, action: Action, details: dict[str, Any]
) -> tuple[Payment, Receipt]:
    rule = rule_for(action, payment.state)
    before = payment.state
    released, balances = _release(uow.session, payment) if rule.releases else ([], [])
    payment.state = rule.target.value
    payment.updated_at = utcnow()
    content = {
        "action": action.value,
        "from": before,
        "to": payment.state,
        "external_ref": payment.external_ref,
        "released": released,
        **{k: v for k, v in details.items() if v is not None},
    }
    receipt = uow.record(
        rule.event,
        subjects={"payment": payment.id},
        content=content,
        parties={payment.bank_org_id, payment.payer_org_id},
        state=payment_commitment(payment, current_uses(uow.session, payment.id))
        | balance_commitment(balances),
    )
    stats.changed(uow.session, KIND, payment.id, contribution(payment))
    return payment, receipt


def _release(
    session: Session, payment: Payment
) -> tuple[list[dict[str, str]], list[DocumentBalance]]:
    """End every active use and give its amount back to the document's balance."""
    uses = list(
        session.scalars(
            select(PaymentUse)
            .where(PaymentUse.payment_id == payment.id, PaymentUse.active.is_(True))
            .order_by(PaymentUse.document_id)
        )
    )
    if not uses:
        return [], []
    balances = lock_balances(session, [u.document_id for u in uses])
    docs = {
        d.id: d
        for d in session.scalars(
            select(Document).where(Document.id.in_([u.document_id for u in uses]))
        )
    }
    now = utcnow()
    released = []
    for use in uses:
        doc = docs[use.document_id]
        give_back(balances[use.document_id], use.used_minor, ends_use=doc.single_use, now=now)
        use.active = False
        released.append(
            {
                "kind": doc.kind,
                "key": doc.key,
                "amount": format_amount(use.used_minor, use.currency),
                "currency": use.currency,
            }
        )
    session.flush()
    return released, list(balances.values())
