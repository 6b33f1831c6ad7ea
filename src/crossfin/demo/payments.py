"""Demo payments: forwarders' freight invoices paid through P3, and a class-C firm refused.

Through the one submission function (`payments.submission.submit`), as a bank's template
upload would: `bank1.operator` submits one P3 payment per freight invoice of the class-A
firms (`demo-P3-<n>`), its `bank1.approver` approves the first ones and the operator records
some as paid; then a class-C firm's payment is tried and refused (403
`/class-not-eligible`), which raises the regulator's alert. Idempotent: payments already
there are skipped, and the refusal is tried once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from crossfin.demo.dataset import demo_orgs
from crossfin.demo.financings import _People, _records
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.payments import submission, transitions
from crossfin.payments.models import Payment
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.service import Submitted

BANK = "bank1"
PAYEES = (
    {"name": "Maersk A/S", "country": "DK", "account": "DK5000400440116243", "bic": "DABADKKK"},
    {"name": "Hapag-Lloyd AG", "country": "DE", "account": "DE89370400440532013000"},
    {"name": "CMA CGM S.A.", "country": "FR", "account": "FR1420041010050500013M02606"},
)
USD_CNY = "7.10"
COUNT = 6


@dataclass
class PaymentsResult:
    payments_added: int = 0
    refused: int = 0


def _body(n: int, invoice: dict[str, str], payer_uscc: str) -> PaymentIn:
    value = float(invoice["amount"]) + float(invoice["tax_amount"])
    usd = f"{int(value / float(USD_CNY) * 0.9 * 100) / 100:.2f}"  # within the invoice
    return PaymentIn.model_validate(
        {
            "scenario": "P3",
            "external_ref": f"demo-P3-{n:03d}",
            "payer_uscc": payer_uscc,
            "payee": PAYEES[n % len(PAYEES)],
            "amount": usd,
            "currency": "USD",
            "documents": [
                {
                    "key": invoice["invoice_no"],
                    "fields": {"amount": invoice["amount"], "tax_amount": invoice["tax_amount"]},
                }
            ],
            "fx_rates": {"USD/CNY": USD_CNY},
        }
    )


def load_payments(uow: UnitOfWork) -> PaymentsResult:
    """Add the demo payments and the class-C refusal if missing; the caller commits."""
    result, people = PaymentsResult(), _People(uow)
    classes = {o.uscc: o.trade_class or "A" for o in demo_orgs() if o.uscc}
    freight = [r for r in _records("vat_invoice") if r["category"] == "freight"]
    mine = [r for r in freight if classes.get(r["buyer_uscc"]) == "A"][:COUNT]
    have = set(
        uow.session.scalars(
            select(Payment.external_ref).where(Payment.external_ref.startswith("demo-P3-"))
        )
    )
    maker, checker = people(f"{BANK}.operator"), people(f"{BANK}.approver")
    todo = [
        _body(n, r, r["buyer_uscc"])
        for n, r in enumerate(mine, 1)
        if f"demo-P3-{n:03d}" not in have
    ]
    if todo:
        with uow.acting_as(maker.actor):
            outcomes, _ = submission.submit(Transactions.within(uow), maker, todo, bulk=True)
        for i, outcome in enumerate(outcomes):
            if not isinstance(outcome, Submitted):
                continue  # e.g. an older demo database tagged the invoice already
            result.payments_added += 1
            pid = outcome.payment_id
            if i < 4:
                with uow.acting_as(checker.actor):
                    transitions.approve(uow, checker, pid, "demo: invoices checked")
            if i < 2:
                with uow.acting_as(maker.actor):
                    transitions.pay(uow, maker, pid)
    result.refused = _class_c_refusal(uow, maker, classes, freight)
    return result


def _class_c_refusal(
    uow: UnitOfWork, maker: object, classes: Mapping[str, str], freight: list[dict[str, str]]
) -> int:
    """A class-C firm's freight payment, refused by the class gate (once)."""
    from crossfin.parties.access import Caller

    assert isinstance(maker, Caller)
    tried = uow.session.scalar(
        select(Alert.id).where(Alert.kind == AlertKind.CLASS_NOT_ELIGIBLE.value).limit(1)
    )
    class_c = next((u for u, k in classes.items() if k == "C"), None)
    if tried is not None or class_c is None or not freight:
        return 0
    body = _body(999, freight[-1], class_c)
    with uow.acting_as(maker.actor):
        [outcome], _ = submission.submit(Transactions.within(uow), maker, [body])
    return 0 if isinstance(outcome, Submitted) else 1
