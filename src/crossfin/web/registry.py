"""Page routers and menu entries of every domain; a new domain adds its lines here.

A domain's `pages.py` defines `router = APIRouter()` (no prefix needed, paths are
absolute) and, optionally, `NAV: list[NavEntry]`. Import them lazily below.
"""

from __future__ import annotations

from fastapi import APIRouter

from crossfin.core.web.i18n import N_
from crossfin.core.web.nav import NavEntry

HOME = NavEntry(N_("Home"), "/", order=0)


def routers() -> list[APIRouter]:
    """Every page router, imported lazily to keep start-up cheap."""
    from crossfin.ledger import pages as ledger_page
    from crossfin.web import account, enterprise, home

    found = [account.router, home.router, enterprise.router, ledger_page.router]
    from crossfin.documents import pages as documents_pages
    from crossfin.documents.ingest import pages as documents_work_pages

    found += [documents_work_pages.router, documents_pages.router]
    from crossfin.financing import pages as financing_pages
    from crossfin.financing.market import pages as financing_market_pages

    found += [financing_pages.router, financing_market_pages.router]
    from crossfin.payments import pages as payments_pages

    found.append(payments_pages.router)
    from crossfin.payments.offshore import pages as offshore_pages

    found.append(offshore_pages.router)
    from crossfin.supervision import pages as supervision_pages
    from crossfin.supervision.casework import pages as case_pages
    from crossfin.supervision.rules import pages as rule_pages
    from crossfin.supervision.stats import pages as stats_pages

    found += [supervision_pages.router, case_pages.router, rule_pages.router, stats_pages.router]
    from crossfin.parties.security import pages as security_pages

    found.append(security_pages.router)
    from crossfin.parties.classes import pages as classes_pages

    found.append(classes_pages.router)
    from crossfin.parties.notifications import pages as notifications_pages

    found.append(notifications_pages.router)
    from crossfin.filings.risk import pages as risk_pages

    found.append(risk_pages.router)
    from crossfin.filings import pages as filings_pages
    from crossfin.filings.oversight import pages as oversight_pages

    found += [oversight_pages.router, filings_pages.router]
    from crossfin.filings.statistics import pages as statistics_filing_pages

    found.append(statistics_filing_pages.router)
    from crossfin.filings.licences import pages as licences_pages

    found.append(licences_pages.router)
    # One line per domain, e.g.: from crossfin.documents.pages import router as documents
    return found


def nav_entries() -> list[NavEntry]:
    """Every menu entry; each domain appends its own `NAV` list."""
    from crossfin.ledger.pages import NAV as ledger_nav

    found = [HOME, *ledger_nav]
    from crossfin.documents.pages import NAV as documents_nav

    found += documents_nav
    from crossfin.financing.pages import NAV as financing_nav

    found += financing_nav
    from crossfin.payments.pages import NAV as payments_nav

    found += payments_nav
    from crossfin.payments.offshore.pages import NAV as offshore_nav

    found += offshore_nav
    from crossfin.supervision.casework.pages import NAV as cases_nav
    from crossfin.supervision.pages import NAV as supervision_nav
    from crossfin.supervision.rules.pages import NAV as rules_nav
    from crossfin.supervision.stats.pages import NAV as stats_nav

    found += supervision_nav + cases_nav + rules_nav + stats_nav
    from crossfin.parties.security.pages import NAV as security_nav

    found += security_nav
    from crossfin.parties.classes.pages import NAV as classes_nav

    found += classes_nav
    from crossfin.filings.risk.pages import NAV as risk_nav

    found += risk_nav
    from crossfin.filings.oversight.pages import NAV as oversight_nav
    from crossfin.filings.pages import NAV as filings_nav

    found += filings_nav + oversight_nav
    from crossfin.filings.statistics.pages import NAV as statistics_filing_nav

    found += statistics_filing_nav
    from crossfin.filings.licences.pages import NAV as licences_nav

    found += licences_nav
    # One line per domain, e.g.: from crossfin.documents.pages import NAV as documents_nav
    return found
