"""The list of domain routers beyond parties; a new domain adds one import and one entry.

`create_app` imports this module when it builds the app, so these imports cost nothing
to a command that never serves.
"""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from crossfin.api.routes import enterprises
from crossfin.documents.access import routes as documents_access
from crossfin.documents.adapters import routes as dcsa
from crossfin.documents.ebl import routes as ebl
from crossfin.documents.ingest import routes as documents_ingest
from crossfin.documents.openattestation import routes as openattestation
from crossfin.filings import routes as filings
from crossfin.filings.licences import routes as licences
from crossfin.filings.oversight import routes as filings_oversight
from crossfin.filings.risk import routes as risk_reports
from crossfin.filings.statistics import routes as statistics_filings
from crossfin.financing import routes as financing
from crossfin.financing.caps import routes as caps
from crossfin.financing.insurance import routes as insurance
from crossfin.financing.iso20022 import routes as financing_iso20022
from crossfin.financing.market import routes as financing_market
from crossfin.financing.warehouse import routes as warehouse
from crossfin.ledger import routes as ledger
from crossfin.parties.classes import routes as classes
from crossfin.parties.notifications import routes as notifications
from crossfin.parties.security import routes as security
from crossfin.payments import routes as payments
from crossfin.payments.iso20022 import routes as payments_iso20022
from crossfin.payments.offshore import routes as offshore
from crossfin.supervision import routes as supervision
from crossfin.supervision.stats import routes as stats

# In the order they are mounted: a fixed path must come before a path parameter that
# would match it (the ISO 20022 entry points before `/financings/{id}`, the filings'
# oversight before `/filings/{id}`).
_MODULES: tuple[ModuleType, ...] = (
    ledger,
    documents_access,
    documents_ingest,
    dcsa,
    openattestation,
    ebl,
    financing_iso20022,
    financing,
    financing_market,
    caps,
    insurance,
    warehouse,
    payments_iso20022,
    payments,
    offshore,
    supervision,
    stats,
    security,
    classes,
    filings_oversight,
    filings,
    risk_reports,
    statistics_filings,
    licences,
    notifications,
    enterprises,
)


def routers() -> list[APIRouter]:
    """Every domain router beyond parties', in mounting order."""
    return [module.router for module in _MODULES]
