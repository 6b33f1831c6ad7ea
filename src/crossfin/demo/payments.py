"""Demo payments: forwarders' freight invoices paid through P3, and a class-C firm refused.

Through the one submission function (`payments.submission.submit`), as a bank's template
upload would: `bank1.operator` submits one P3 payment per freight invoice of the class-A
firms (`demo-P3-<n>`), its `bank1.approver` approves the first ones and the operator records
some as paid; then a class-C firm's payment is tried and refused (403
`/class-not-eligible`), which raises the regulator's alert. Class-A firms also pay P1
(capital-account income, `demo-P1-<n>`), two payments per service invoice, used
cumulatively; once the load is committed, `draw_p1_sample` draws a P1 sample from a signed
checkpoint. Idempotent: payments already there are skipped, and the refusal is tried once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from crossfin.core.db import Actor, Database
from crossfin.core.settings import Settings
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.financings import _People, _records
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.payments import submission, transitions
from crossfin.payments.models import Payment
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.service import Submitted

CLI_ACTOR = Actor(org_id=None, principal_id=None, label="demo")
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
    result.payments_added += _p1_payments(uow, maker, classes)
    return result


P1_INVOICES = 5
P1_SOURCES = ("capital", "foreign_debt", "listing_proceeds")
P1_SHARES = (0.4, 0.3)  # two payments per invoice: its amount is used in parts
P1_RATE_BP = 5000


def _p1_payments(uow: UnitOfWork, maker: object, classes: Mapping[str, str]) -> int:
    """Capital-account income payments (P1) of class-A firms, each of their service invoices
    used cumulatively by two payments (`demo-P1-<n>`)."""
    from crossfin.parties.access import Caller

    assert isinstance(maker, Caller)
    services = [
        r
        for r in _records("vat_invoice")
        if r["category"] == "service" and classes.get(r["buyer_uscc"]) == "A"
    ][:P1_INVOICES]
    have = set(
        uow.session.scalars(
            select(Payment.external_ref).where(Payment.external_ref.startswith("demo-P1-"))
        )
    )
    todo = []
    for i, invoice in enumerate(services):
        value = float(invoice["amount"]) + float(invoice["tax_amount"])
        for j, share in enumerate(P1_SHARES):
            n = 2 * i + j + 1
            if f"demo-P1-{n:03d}" in have:
                continue
            usd = f"{int(value * share / float(USD_CNY) * 100) / 100:.2f}"
            body = _body(n, invoice, invoice["buyer_uscc"]).model_dump()
            body |= {
                "scenario": "P1",
                "external_ref": f"demo-P1-{n:03d}",
                "amount": usd,
                "source_of_funds": P1_SOURCES[n % len(P1_SOURCES)],
                "purpose_code": "622011",
            }
            todo.append(PaymentIn.model_validate(body))
    if not todo:
        return 0
    with uow.acting_as(maker.actor):
        outcomes, _ = submission.submit(Transactions.within(uow), maker, todo)
    return sum(isinstance(o, Submitted) for o in outcomes)


def draw_p1_sample(db: Database, settings: Settings) -> int | None:
    """After the load is committed: the demo's P1 sample rate (50 %, so that the demo has
    review tasks), a signed checkpoint, and a sample drawn from it, by the operator's
    command line; once. The id of the sample drawn, or None (already drawn, or no log key
    to sign a checkpoint with: run `crossfin init`)."""
    from crossfin.ledger.checkpointer import checkpoint_now
    from crossfin.ledger.note import NoteError
    from crossfin.payments import sampling
    from crossfin.payments.p1_models import P1Sample

    with db.session(readonly=True) as session:
        if session.scalar(select(P1Sample.id).limit(1)) is not None:
            return None
        rate = sampling.current_rate(session)
    if rate[0] == 0:
        with UnitOfWork(db, CLI_ACTOR) as uow:
            sampling.set_rate(uow, None, P1_RATE_BP, "demo: half, so that the demo has tasks")
            uow.commit()
    try:
        checkpoint_now(db, settings, wait=10)
    except NoteError:
        return None  # no log key yet
    with UnitOfWork(db, CLI_ACTOR) as uow:
        sample, _ = sampling.draw(uow, None, 0)
        uow.commit()
        return sample.id


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
