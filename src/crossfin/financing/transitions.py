"""Moving a financing through its lifecycle: one function per action, one event each."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.clock import business_date
from crossfin.core.errors import Forbidden, MakerChecker, NotFound, invalid
from crossfin.core.money import format_amount
from crossfin.documents.balance import lock_balances
from crossfin.documents.models import Document, DocumentBalance
from crossfin.documents.state import balance_commitment
from crossfin.financing.changes import stamp
from crossfin.financing.lifecycle import Action, Release, State, rule_for
from crossfin.financing.models import Financing, FinancingUse
from crossfin.financing.queries import can_see
from crossfin.financing.scenarios.registry import get_scenario
from crossfin.financing.service import money_in, parties_of
from crossfin.financing.state import current_uses, financing_commitment
from crossfin.financing.stats import KIND, contribution
from crossfin.financing.tenor import check_due_date
from crossfin.financing.uses import release, release_all, repayment_plan
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.parties.stats import upkeep as stats


def locked(session: Session, financing_id: int) -> Financing | None:
    """The financing row, locked for this transaction (PostgreSQL FOR UPDATE), and what it
    adds to the statistics as it stands (every change of a financing starts here)."""
    query = select(Financing).where(Financing.id == financing_id).with_for_update()
    found = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if found is not None:
        stats.track(session, KIND, found.id, contribution(found))
    return found


def _own(uow: UnitOfWork, caller: Caller, financing_id: int, action: Action) -> Financing:
    """The caller's bank's financing, locked; 404 if unseen, 403 if seen but not its own."""
    financing = locked(uow.session, financing_id)
    if financing is None or not can_see(caller, financing):
        raise NotFound(f"no financing {financing_id}")
    if caller.org_id != financing.bank_org_id:
        raise Forbidden("only the financing bank may change a financing")
    rule = rule_for(action, financing.state)
    if caller.role not in rule.roles:
        allowed = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"to {action.value} a financing needs the role {allowed}")
    return financing


def approve(
    uow: UnitOfWork, caller: Caller, financing_id: int, comment: str | None = None
) -> tuple[Financing, Receipt]:
    """The checker approves: a different principal of the same bank, with the approver role."""
    financing = _own(uow, caller, financing_id, Action.APPROVE)
    if financing.maker_principal_id == caller.principal_id:
        raise MakerChecker("the principal who registered a financing cannot approve it")
    financing.approver_principal_id = caller.principal_id
    financing.reserved_until = None  # an approved reservation no longer lapses
    return _move(uow, financing, Action.APPROVE, {"comment": comment})


def reject(
    uow: UnitOfWork, caller: Caller, financing_id: int, reason: str
) -> tuple[Financing, Receipt]:
    """The checker rejects; the reservation is released."""
    financing = _own(uow, caller, financing_id, Action.REJECT)
    financing.approver_principal_id = caller.principal_id
    return _move(uow, financing, Action.REJECT, {"reason": reason})


def cancel(
    uow: UnitOfWork, caller: Caller, financing_id: int, reason: str
) -> tuple[Financing, Receipt]:
    """The bank withdraws before disbursement; the reservation is released."""
    financing = _own(uow, caller, financing_id, Action.CANCEL)
    return _move(uow, financing, Action.CANCEL, {"reason": reason})


def disburse(
    uow: UnitOfWork,
    caller: Caller,
    financing_id: int,
    due_date: date | None,
    value_date: date | None = None,
) -> tuple[Financing, Receipt]:
    """The loan is paid out in full; it needs a due date (given now or at registration)."""
    financing = _own(uow, caller, financing_id, Action.DISBURSE)
    check_due_date(uow.session, financing, due_date)
    financing.due_date = due_date or financing.due_date
    if financing.due_date is None:
        raise invalid("due_date", "a disbursed loan needs a due date")
    day = value_date or business_date()
    if financing.due_date <= day:
        raise invalid("due_date", "must be after the disbursement date")
    financing.disbursed_minor = financing.amount_minor
    return _move(
        uow, financing, Action.DISBURSE, {"due_date": financing.due_date, "value_date": day}
    )


def repay(
    uow: UnitOfWork, caller: Caller, financing_id: int, amount: str, value_date: date | None = None
) -> tuple[Financing, Receipt]:
    """Record a repayment of principal; it releases the documents pro rata."""
    financing = _own(uow, caller, financing_id, Action.REPAY)
    minor = money_in(amount, financing.currency, "amount")
    outstanding = financing.disbursed_minor - financing.repaid_minor
    if minor > outstanding:
        raise invalid(
            "amount",
            f"exceeds the outstanding principal {format_amount(outstanding, financing.currency)}",
        )
    financing.repaid_minor += minor
    return _move(
        uow,
        financing,
        Action.REPAY,
        {
            "repaid": format_amount(minor, financing.currency),
            "value_date": value_date or business_date(),
        },
        repaid_now=minor,
    )


def close(
    uow: UnitOfWork, caller: Caller, financing_id: int, comment: str | None = None
) -> tuple[Financing, Receipt]:
    """Close a fully repaid financing."""
    financing = _own(uow, caller, financing_id, Action.CLOSE)
    return _move(uow, financing, Action.CLOSE, {"comment": comment})


def expire(uow: UnitOfWork, financing: Financing) -> tuple[Financing, Receipt]:
    """The sweeper lets a lapsed reservation go. Precondition: `financing` is locked."""
    rule_for(Action.EXPIRE, financing.state)
    return _move(uow, financing, Action.EXPIRE, {"reserved_until": financing.reserved_until})


def mark_overdue(uow: UnitOfWork, financing: Financing, today: date) -> tuple[Financing, Receipt]:
    """Flag an unpaid loan past its due date and alert the regulator. Precondition: locked."""
    rule_for(Action.MARK_OVERDUE, financing.state)
    financing.overdue = True
    financing.overdue_since = today
    outstanding = format_amount(
        financing.disbursed_minor - financing.repaid_minor, financing.currency
    )
    details = {
        "financing": financing.id,
        "bank": financing.bank_org_id,
        "due_date": financing.due_date,
        "outstanding": outstanding,
        "currency": financing.currency,
    }
    raise_alert(
        uow,
        AlertKind.OVERDUE,
        subject_org_id=financing.enterprise_org_id,
        jurisdiction_path=financing.jurisdiction_path,
        details=details,
        actor_org_id=financing.bank_org_id,
        records=[evidence("financing", financing.id, financing.external_ref)],
    )
    return _move(uow, financing, Action.MARK_OVERDUE, details)


def _move(
    uow: UnitOfWork,
    financing: Financing,
    action: Action,
    details: dict[str, Any],
    repaid_now: int = 0,
) -> tuple[Financing, Receipt]:
    """Apply the balance effect, the new state, one ledger event, and the change stamp."""
    rule = rule_for(action, financing.state)
    before = financing.state
    released, balances = _release(uow.session, financing, action, rule.release, repaid_now)
    financing.state = _target(financing, action, rule.target)
    if financing.state == State.REPAID.value:
        financing.overdue = False  # the history stays in overdue_since
    content = {
        "action": action.value,
        "from": before,
        "to": financing.state,
        "external_ref": financing.external_ref,
        "released": released,
        **{k: v for k, v in details.items() if v is not None},
    }
    receipt = uow.record(
        rule.event,
        subjects={"financing": financing.id},
        content=content,
        parties=parties_of(financing),
        # The full resulting state, reserved_until cleared by an approval included.
        state=financing_commitment(financing, current_uses(uow.session, financing.id))
        | balance_commitment(balances),
    )
    stats.changed(uow.session, KIND, financing.id, contribution(financing))
    stamp(uow.session, financing)
    return financing, receipt


def _target(financing: Financing, action: Action, target: State | None) -> str:
    if target is not None:
        return target.value
    if action is Action.REPAY:
        paid_off = financing.repaid_minor >= financing.disbursed_minor
        return (State.REPAID if paid_off else State.PARTLY_REPAID).value
    return financing.state


def _release(
    session: Session, financing: Financing, action: Action, default: Release, repaid_now: int
) -> tuple[list[dict[str, str]], list[DocumentBalance]]:
    """Give back the documents' balance as the scenario says; returns what was released
    and the balances it locked (and may have changed)."""
    how = get_scenario(financing.scenario).release_for(action, default)
    if how is Release.NOTHING:
        return [], []
    uses = list(
        session.scalars(
            select(FinancingUse)
            .where(FinancingUse.financing_id == financing.id, FinancingUse.active.is_(True))
            .order_by(FinancingUse.id)
        )
    )
    if not uses:
        return [], []
    balances = lock_balances(session, [u.document_id for u in uses])
    before = {u.id: u.released_minor for u in uses}
    paid_off = action is Action.REPAY and financing.repaid_minor >= financing.disbursed_minor
    if how is Release.ALL or paid_off:
        release_all(balances, uses)
    else:
        release(balances, repayment_plan(uses, repaid_now))
    docs = {
        d.id: d
        for d in session.scalars(
            select(Document).where(Document.id.in_([u.document_id for u in uses]))
        )
    }
    released = [
        {
            "kind": docs[u.document_id].kind,
            "key": docs[u.document_id].key,
            "amount": _amount(u.released_minor - before[u.id], u.currency),
            "currency": u.currency,
        }
        for u in uses
        if u.released_minor > before[u.id] or not u.active
    ]
    return released, list(balances.values())


def _amount(minor: int, currency: str) -> str:
    return format_amount(minor, currency) if currency else str(minor)
