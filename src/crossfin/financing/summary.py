"""One enterprise's financings across every bank, summed up for its page
(web/enterprise_data.py): counts and sums by scenario, state and currency, and the newest.

The page is the enterprise's own or its regulator's, so banks are named here; the F2 credit
profile a bank reads (market/credit.py) aggregates without naming any.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossfin.core.money import format_amount
from crossfin.financing.models import Financing
from crossfin.parties.models import Organization

NEWEST = 10


class FinancingGroup(BaseModel):
    scenario: str
    state: str
    currency: str
    count: int
    amount: str = Field(description="Sum of the amounts financed.")
    outstanding: str = Field(description="Sum of what was disbursed and not yet repaid.")


class FinancingRow(BaseModel):
    id: int
    bank_org_id: int
    bank_name: str
    scenario: str
    state: str
    external_ref: str
    amount: str
    currency: str
    outstanding: str
    overdue: bool
    due_date: date | None
    created_at: datetime
    href: str = Field(description="The financing's API path.")


class FinancingSummary(BaseModel):
    total: int
    groups: list[FinancingGroup] = Field(description="By scenario, state and currency.")
    newest: list[FinancingRow] = Field(description="The newest few, newest first.")


def enterprise_summary(session: Session, org_id: int, newest: int = NEWEST) -> FinancingSummary:
    """Every financing of the enterprise, at any bank, grouped; and the newest `newest`."""
    left = Financing.disbursed_minor - Financing.repaid_minor
    grouped = session.execute(
        select(
            Financing.scenario,
            Financing.state,
            Financing.currency,
            func.count(),
            func.sum(Financing.amount_minor),
            func.sum(left),
        )
        .where(Financing.enterprise_org_id == org_id)
        .group_by(Financing.scenario, Financing.state, Financing.currency)
        .order_by(Financing.scenario, Financing.state, Financing.currency)
    ).all()
    rows = session.execute(
        select(Financing, Organization.name)
        .join(Organization, Organization.id == Financing.bank_org_id)
        .where(Financing.enterprise_org_id == org_id)
        .order_by(Financing.created_at.desc(), Financing.id.desc())
        .limit(newest)
    ).all()
    return FinancingSummary(
        total=sum(int(n) for *_, n, _, _ in grouped),
        groups=[
            FinancingGroup(
                scenario=scenario,
                state=state,
                currency=ccy,
                count=int(n),
                amount=format_amount(int(amount or 0), ccy),
                outstanding=format_amount(int(outstanding or 0), ccy),
            )
            for scenario, state, ccy, n, amount, outstanding in grouped
        ],
        newest=[_row(f, bank) for f, bank in rows],
    )


def _row(f: Financing, bank: str) -> FinancingRow:
    return FinancingRow(
        id=f.id,
        bank_org_id=f.bank_org_id,
        bank_name=bank,
        scenario=f.scenario,
        state=f.state,
        external_ref=f.external_ref,
        amount=format_amount(f.amount_minor, f.currency),
        currency=f.currency,
        outstanding=format_amount(f.disbursed_minor - f.repaid_minor, f.currency),
        overdue=f.overdue,
        due_date=f.due_date,
        created_at=f.created_at,
        href=f"/v1/financings/{f.id}",
    )
