"""Assembly: the one place where the domains hand their reactions and views to the floors below.

The lower floors expose hooks and fill none of them on import:

- `core.security`'s recorder of security events (parties stores them);
- `parties.hooks`' reactions to a new organization (documents links the documents that
  arrived before their owner onboarded);
- `ledger.state`'s views of the business rows that `crossfin log audit` checks (each domain
  describes its entities);
- `supervision.volume`'s sources of monthly volumes (financing's and payments');
- `parties.records`' sources of regulatory records (supervision's closed cases), which the
  F2 credit profile in financing carries.
- `parties.hooks`' reaction to a raised alert (supervision files it in the firm's case).
- `documents.hooks`' reaction to an amendment (financing measures an F8 pledge's
  loan-to-value when the warehouse revalues its receipt).
- `ledger.uow`'s finishers: the statistics' upkeep (parties/stats/upkeep.py), whose deltas
  every unit of work writes under the log head lock;
- `documents.ebl.pledges`' query of the financings that pledge a bill of lading (F5),
  which its endorsement chain obeys;
- `supervision.stats.recount`'s sources: each domain's contributions to the statistics.
- `filings.links`' resolvers: whether a filer reads the financing, payment or alert its
  risk report links (assembly/filing_links.py).

Every entry point calls `assemble()` before it serves: the app factory
(`api.app.create_app`, so every uvicorn worker), the CLI (`cli.main`), and the test suite's
conftest; the demo and the benchmarks run through one of those. A new domain adds its lines
here. Calling it again changes nothing.
"""

from __future__ import annotations

from crossfin.assembly import filing_links
from crossfin.core.security import set_recorder
from crossfin.documents import state as documents_state
from crossfin.documents.access import stats as verification_stats
from crossfin.documents.ebl import store as ebl_store
from crossfin.documents.ebl.pledges import add_pledge_query
from crossfin.documents.hooks import on_document_amended
from crossfin.documents.versions import link_owner_documents
from crossfin.filings import state as filings_state
from crossfin.filings.calendar import store as calendar_store
from crossfin.financing import ebl_pledges
from crossfin.financing import state as financing_state
from crossfin.financing import stats as financing_stats
from crossfin.financing import volume as financing_volume
from crossfin.financing.caps import state as caps_state
from crossfin.financing.insurance import state as insurance_state
from crossfin.financing.warehouse import state as warehouse_state
from crossfin.financing.warehouse.ltv import check_after_revaluation
from crossfin.ledger.state import REGISTRY, StateView, StateViews
from crossfin.ledger.uow import add_finisher
from crossfin.parties.classes import history as classes_history
from crossfin.parties.hooks import on_alert_raised, on_organization_added
from crossfin.parties.records import add_record_source
from crossfin.parties.security.events import record
from crossfin.parties.stats import refusals as refusal_stats
from crossfin.parties.stats.upkeep import UPKEEP
from crossfin.payments import sampling as payments_sampling
from crossfin.payments import state as payments_state
from crossfin.payments import stats as payments_stats
from crossfin.payments import volume as payments_volume
from crossfin.payments.offshore import state as offshore_state
from crossfin.payments.offshore import stats as offshore_stats
from crossfin.supervision.casework.auto import file_alert
from crossfin.supervision.stats.recount import add_source
from crossfin.supervision.summary import case_records
from crossfin.supervision.volume import add_volume_source


def state_views() -> list[StateView]:
    """Every domain's state views, in the order the audit reads them."""
    return [
        *financing_state.state_views(),
        *caps_state.state_views(),
        *insurance_state.state_views(),
        *warehouse_state.state_views(),
        *payments_state.state_views(),
        *payments_sampling.state_views(),
        *offshore_state.state_views(),
        *documents_state.state_views(),
        *ebl_store.state_views(),
        *classes_history.state_views(),
        *calendar_store.state_views(),
        *filings_state.state_views(),
    ]


def register_state_views(registry: StateViews) -> StateViews:
    """Register every domain's views into `registry` (the platform's: `ledger.state.REGISTRY`)."""
    for view in state_views():
        registry.register(view)
    return registry


def assemble() -> None:
    """Fill every hook of the floors below with the domains' own functions."""
    set_recorder(record)
    on_organization_added(link_owner_documents)
    register_state_views(REGISTRY)
    add_volume_source(financing_volume.monthly_volumes)
    add_volume_source(payments_volume.monthly_volumes)
    add_record_source(case_records)
    on_alert_raised(file_alert)
    on_document_amended(check_after_revaluation)  # F8: LTV after a revaluation
    add_finisher(UPKEEP)
    add_pledge_query(ebl_pledges.financing_pledges)
    add_source("financings", financing_stats.all_contributions)
    add_source("payments", payments_stats.all_contributions)
    add_source("offshore checks", offshore_stats.all_contributions)
    add_source("verifications", verification_stats.all_contributions)
    add_source("refusals", refusal_stats.all_contributions)
    filing_links.register()
