"""Demo P2 payments: a service importer pays against its tax filing, in parts, then overpays.

Through the one submission function (`payments.submission.submit`), as the bank's P2 form
would: `bank1.operator` pays 40 % and then 35 % of a class-A firm's tax filing
(`demo-P2-001`, `demo-P2-002`; the filing's serial number and verification code, the
payee the filing names), `bank1.approver` approves the first and the operator records it
as paid; a third payment of 40 % (`demo-P2-003`) is more than the 25 % left and is refused
(409 `/filing-exhausted`), which raises the regulator's `filing-overpayment` alert.
Idempotent: payments already there are skipped, and the overpayment is tried once.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import select

from crossfin.core.money import format_amount, parse_amount
from crossfin.demo.dataset import demo_orgs
from crossfin.demo.financings import _People, _records
from crossfin.ledger.uow import Transactions, UnitOfWork
from crossfin.parties.alerts import Alert, AlertKind
from crossfin.payments import submission, transitions
from crossfin.payments.models import Payment
from crossfin.payments.schemas import PaymentIn
from crossfin.payments.service import Submitted

BANK = "bank1"
# Each filing currency's rate to USD, sent with the payment (the recorded rate).
USD_RATES = {"EUR": "1.08"}
SHARES = ((1, 40), (2, 35), (3, 40))  # (n, percent of the contract): the third overpays
BICS = {"DE": "DEUTDEFF", "SE": "ESSESESS", "US": "CHASUS33", "JP": "BOTKJPJT"}


def _filing() -> dict[str, str] | None:
    """The first demo tax filing whose payer is a class-A firm."""
    classes = {o.uscc: o.trade_class or "A" for o in demo_orgs() if o.uscc}
    return next((r for r in _records("tax_filing") if classes.get(r["payer_uscc"]) == "A"), None)


def _body(n: int, percent: int, filing: dict[str, str]) -> PaymentIn:
    currency = filing["currency"]
    contract = Decimal(filing["contract_amount"])
    amount = (contract * percent / 100).quantize(Decimal(1), rounding=ROUND_FLOOR)
    payee: dict[str, Any] = {"name": filing["payee_name"], "country": filing["payee_country"]}
    payee |= {"bic": BICS.get(filing["payee_country"], "DEUTDEFF")}
    body: dict[str, Any] = {
        "scenario": "P2",
        "external_ref": f"demo-P2-{n:03d}",
        "payer_uscc": filing["payer_uscc"],
        "payee": payee,
        "amount": format_amount(parse_amount(amount, currency), currency),
        "currency": currency,
        "purpose_code": "228010",
        "documents": [
            {
                "kind": "tax_filing",
                "key": filing["filing_no"],
                "fields": {"verification_code": filing["verification_code"]},
            }
        ],
    }
    if currency in USD_RATES:
        body["fx_rates"] = {f"{currency}/USD": USD_RATES[currency]}
    return PaymentIn.model_validate(body)


def load_service_payments(uow: UnitOfWork) -> int:
    """Add the demo P2 payments and the refused overpayment if missing; the caller commits.
    Returns how many payments were added."""
    filing = _filing()
    if filing is None:
        return 0
    people = _People(uow)
    maker, checker = people(f"{BANK}.operator"), people(f"{BANK}.approver")
    have = set(
        uow.session.scalars(
            select(Payment.external_ref).where(Payment.external_ref.startswith("demo-P2-"))
        )
    )
    tried = uow.session.scalar(
        select(Alert.id).where(Alert.kind == AlertKind.FILING_OVERPAYMENT.value).limit(1)
    )
    added = 0
    for n, percent in SHARES:
        if f"demo-P2-{n:03d}" in have or (n == 3 and tried is not None):
            continue
        with uow.acting_as(maker.actor):
            [outcome], _ = submission.submit(
                Transactions.within(uow), maker, [_body(n, percent, filing)]
            )
        if not isinstance(outcome, Submitted):
            continue  # the overpayment: refused, its alert recorded
        added += 1
        if n == 1:
            with uow.acting_as(checker.actor):
                transitions.approve(uow, checker, outcome.payment_id, "demo: filing checked")
            with uow.acting_as(maker.actor):
                transitions.pay(uow, maker, outcome.payment_id)
    return added
