"""Which active financings pledge a document: the query documents' eBL chains ask (F5).

Registered into `crossfin.documents.ebl.pledges` at assembly; documents cannot import
financing. A use is active until the financing ends (repaid in full, closed, rejected,
cancelled or expired), which releases the pledge.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.documents.ebl.pledges import FinancingPledge
from crossfin.financing.models import Financing, FinancingUse

PLEDGING_SCENARIOS = ("F5",)


def financing_pledges(session: Session, document_id: int) -> list[FinancingPledge]:
    """The active F5 financings whose pledge holds the document."""
    query = (
        select(Financing.id, Financing.bank_org_id, Financing.scenario, Financing.state)
        .join(FinancingUse, FinancingUse.financing_id == Financing.id)
        .where(
            FinancingUse.document_id == document_id,
            FinancingUse.active.is_(True),
            FinancingUse.role == "pledge",
            Financing.scenario.in_(PLEDGING_SCENARIOS),
        )
        .order_by(Financing.id)
    )
    return [FinancingPledge(*row) for row in session.execute(query)]
