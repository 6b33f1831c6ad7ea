"""One enterprise's payments across every bank, summed up for its page
(web/enterprise_data.py): counts and sums by scenario, state and currency, and the newest.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.money import format_amount
from crossfin.parties.models import Organization
from crossfin.payments.models import Payment

NEWEST = 10


class PaymentGroup(BaseModel):
    scenario: str
    state: str
    currency: str
    count: int
    amount: str
    usd: str = Field(description="The USD equivalent, at the rate recorded with each payment.")


class PaymentRow(BaseModel):
    id: int
    bank_org_id: int
    bank_name: str
    scenario: str
    state: str
    external_ref: str
    amount: str
    currency: str
    payee_name: str
    payee_country: str
    value_date: date
    created_at: datetime
    href: str = Field(description="The payment's API path.")


class PaymentSummary(BaseModel):
    total: int
    groups: list[PaymentGroup] = Field(description="By scenario, state and currency.")
    newest: list[PaymentRow] = Field(description="The newest few, newest first.")


def enterprise_summary(session: Session, org_id: int, newest: int = NEWEST) -> PaymentSummary:
    """Every payment the enterprise made, at any bank, grouped; and the newest `newest`."""
    grouped = session.execute(
        select(
            Payment.scenario,
            Payment.state,
            Payment.currency,
            func.count(),
            func.sum(Payment.amount_minor),
            func.sum(Payment.usd_minor),
        )
        .where(Payment.payer_org_id == org_id)
        .group_by(Payment.scenario, Payment.state, Payment.currency)
        .order_by(Payment.scenario, Payment.state, Payment.currency)
    ).all()
    rows = session.execute(
        select(Payment, Organization.name)
        .join(Organization, Organization.id == Payment.bank_org_id)
        .where(Payment.payer_org_id == org_id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
        .limit(newest)
    ).all()
    return PaymentSummary(
        total=sum(int(n) for *_, n, _, _ in grouped),
        groups=[
            PaymentGroup(
                scenario=scenario,
                state=state,
                currency=ccy,
                count=int(n),
                amount=format_amount(int(amount or 0), ccy),
                usd=format_amount(int(usd or 0), "USD"),
            )
            for scenario, state, ccy, n, amount, usd in grouped
        ],
        newest=[_row(p, bank) for p, bank in rows],
    )


def _row(p: Payment, bank: str) -> PaymentRow:
    return PaymentRow(
        id=p.id,
        bank_org_id=p.bank_org_id,
        bank_name=bank,
        scenario=p.scenario,
        state=p.state,
        external_ref=p.external_ref,
        amount=format_amount(p.amount_minor, p.currency),
        currency=p.currency,
        payee_name=p.payee_name,
        payee_country=p.payee_country,
        value_date=p.value_date,
        created_at=p.created_at,
        href=f"/v1/payments/{p.id}",
    )
