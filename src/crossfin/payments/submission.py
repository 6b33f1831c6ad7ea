"""Submitting payments: the one function every entry point calls (API, portal, CLI, demo).

`submit(tx, caller, items, bulk=..., keep=...)` submits one payment or a whole template
upload in ONE transaction of `tx`:

- the caller must be a bank maker (`service.check_maker`);
- the payments are decided one after another against the same locked balances
  (`service.submit_many`) and the accepted ones written with their ledger events;
- the refused ones are recorded for the regulator in the same transaction (nothing of
  the refused payment itself is written): an alert when an invoice used by one bank is
  tried at another (`invoice-already-used`), and one per class-C attempt
  (`class-not-eligible`, `parties/gates.record_class_refusal`); for P2, one per payment
  above the threshold without a filing (`payment-without-documents`) and one per filing
  overpayment attempt (`filing-overpayment`, `filings.record_refusal`);
- `keep(uow, outcomes)` runs last, after the events are sequenced when the transaction is
  `submit`'s own, so an entry point stores its answer (an Idempotency-Key) with the change;
- a unique violation (another request committed the same external_ref first) runs the
  whole submission once more: the second run sees the taken reference and says so.

Each outcome is a `service.Submitted` or the CrossfinError that refused it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crossfin.core.errors import CrossfinError
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.alerts import AlertKind, evidence, raise_alert
from crossfin.parties.gates import ClassNotEligible, record_class_refusal
from crossfin.payments import filings
from crossfin.payments.errors import AlreadyUsed, FilingExhausted, FilingRequired
from crossfin.payments.models import Payment, PaymentUse
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.service import Entry, Submitted, check_maker, submit_many

T = TypeVar("T")
Outcome = Submitted | CrossfinError


def submit(
    tx: Transactions,
    caller: Caller,
    items: Sequence[PaymentIn],
    *,
    bulk: bool = False,
    keep: Callable[[UnitOfWork, list[Outcome]], T] | None = None,
) -> tuple[list[Outcome], T | None]:
    """Submit `items` for `caller`'s bank in one transaction; one outcome each, in order."""
    check_maker(caller)
    entries = [
        Entry(item, caller.org_id, caller.principal_id, bulk, caller.actor) for item in items
    ]

    def step(uow: UnitOfWork) -> tuple[list[Outcome], T | None]:
        outcomes = submit_many(uow, entries)
        record_refusals(uow, caller, outcomes)
        if keep is None:
            return outcomes, None
        if tx.owned:
            uow.sequence()  # receipts carry their leaf index in the answer kept
        return outcomes, keep(uow, outcomes)

    try:
        return tx.write(step)
    except IntegrityError:
        return tx.write(step)


def record_refusals(uow: UnitOfWork, caller: Caller, outcomes: Sequence[Any]) -> None:
    """The regulator's alerts for refused payments, in the submission's transaction."""
    for outcome in outcomes:
        if isinstance(outcome, ClassNotEligible):
            record_class_refusal(uow, outcome)
        elif isinstance(outcome, AlreadyUsed):
            _tried_elsewhere(uow, caller, outcome)
        elif isinstance(outcome, FilingRequired | FilingExhausted):
            filings.record_refusal(uow, outcome)


def _tried_elsewhere(uow: UnitOfWork, caller: Caller, refusal: AlreadyUsed) -> None:
    """An alert per used document whose holder is not this bank (any other bank's payment,
    or a financing): the invoice was tried at another bank."""
    attempt = refusal.attempt
    for short in attempt.shortfalls:
        holders = set(
            uow.session.scalars(
                select(Payment.bank_org_id)
                .join(PaymentUse, PaymentUse.payment_id == Payment.id)
                .where(PaymentUse.document_id == short.document_id, PaymentUse.active.is_(True))
            )
        )
        if holders == {caller.org_id}:
            continue  # its own bank's second try: a mistake, not a second bank
        raise_alert(
            uow,
            AlertKind.INVOICE_ALREADY_USED,
            subject_org_id=attempt.payer_org_id,
            jurisdiction_path=attempt.jurisdiction_path,
            details={
                "scenario": attempt.scenario,
                "external_ref": attempt.external_ref,
                "bank": attempt.bank_org_id,
                "document": {"kind": short.kind, "key": short.key},
            },
            actor_org_id=attempt.bank_org_id,
            document_id=short.document_id,
            records=[
                evidence(
                    "attempt", attempt.external_ref, f"{attempt.scenario} {attempt.external_ref}"
                ),
                evidence("document", short.document_id, f"{short.kind} {short.key}"),
            ],
        )
