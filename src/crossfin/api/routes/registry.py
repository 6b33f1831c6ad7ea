"""The list of domain routers beyond parties; a new domain adds one import here."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every optional domain router, imported lazily to keep start-up cheap."""
    found: list[APIRouter] = []
    # One line per domain: `from crossfin.<domain>.routes import router` style imports.
    from crossfin.ledger.routes import router as ledger_router

    found.append(ledger_router)
    from crossfin.documents.access.routes import router as documents_access_router

    found.append(documents_access_router)
    from crossfin.documents.ingest.routes import router as documents_ingest_router

    found.append(documents_ingest_router)
    from crossfin.documents.adapters.routes import router as dcsa_router

    found.append(dcsa_router)
    from crossfin.documents.openattestation.routes import router as openattestation_router

    found.append(openattestation_router)
    from crossfin.documents.ebl.routes import router as ebl_router

    found.append(ebl_router)
    from crossfin.financing.iso20022.routes import router as financing_iso_router
    from crossfin.financing.market.routes import router as financing_market_router
    from crossfin.financing.routes import router as financing_router

    found.extend([financing_iso_router, financing_router, financing_market_router])
    from crossfin.financing.caps.routes import router as caps_router
    from crossfin.financing.insurance.routes import router as insurance_router
    from crossfin.financing.warehouse.routes import router as warehouse_router

    found.extend([caps_router, insurance_router, warehouse_router])
    from crossfin.payments.iso20022.routes import router as payments_iso_router
    from crossfin.payments.routes import router as payments_router

    found.extend([payments_iso_router, payments_router])
    from crossfin.payments.offshore.routes import router as offshore_router

    found.append(offshore_router)
    from crossfin.supervision.routes import router as supervision_router

    found.append(supervision_router)
    from crossfin.supervision.stats.routes import router as stats_router

    found.append(stats_router)
    from crossfin.parties.security.routes import router as security_router

    found.append(security_router)
    from crossfin.parties.classes.routes import router as classes_router

    found.append(classes_router)
    from crossfin.filings.oversight.routes import router as oversight_router  # before {id}
    from crossfin.filings.risk.routes import router as risk_reports_router
    from crossfin.filings.routes import router as filings_router

    found.extend([oversight_router, filings_router, risk_reports_router])
    from crossfin.filings.statistics.routes import router as statistics_filing_router

    found.append(statistics_filing_router)
    from crossfin.filings.licences.routes import router as licences_router

    found.append(licences_router)
    from crossfin.parties.notifications.routes import router as notifications_router

    found.append(notifications_router)
    from crossfin.api.routes.enterprises import router as enterprises_router

    found.append(enterprises_router)
    return found
