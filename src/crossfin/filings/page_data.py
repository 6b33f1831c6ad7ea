"""What the filings portal pages show, apart from transport: labels of states and actions,
the moves open to the caller, the current version's issues, receipts' ledger indexes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.web.i18n import N_, NC_, Message
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.checks import check_content
from crossfin.filings.issues import Issue
from crossfin.filings.models import Filing
from crossfin.filings.schemas import FilingDetailOut
from crossfin.filings.steps import FilingState
from crossfin.filings.workflow import FILER_ACTIONS, MOVES
from crossfin.ledger.models import LedgerEvent
from crossfin.parties.access import Caller, supervises

STATES: dict[str, Message] = {
    "drafted": NC_("filing state", "Draft"),
    "submitted": NC_("filing state", "Submitted"),
    "accepted": NC_("filing state", "Accepted"),
    "returned": NC_("filing state", "Returned for supplement"),
    "resubmitted": NC_("filing state", "Resubmitted"),
    "under_review": NC_("filing state", "Under review"),
    "decided": NC_("filing state", "Decided"),
    "closed": NC_("filing state", "Closed"),
    "withdrawn": NC_("filing state", "Withdrawn"),
}
ACTIONS: dict[str, Message] = {
    "draft": NC_("filing action", "Drafted"),
    "submit": NC_("filing action", "Submit"),
    "accept": NC_("filing action", "Accept"),
    "return": NC_("filing action", "Return for supplement"),
    "resubmit": NC_("filing action", "Resubmit"),
    "review": NC_("filing action", "Start the review"),
    "decide": NC_("filing action", "Decide"),
    "close": NC_("filing action", "Close"),
    "withdraw": NC_("filing action", "Withdraw"),
    "attach": NC_("filing action", "Attach"),
}
OUTCOMES: dict[str, Message] = {
    "approved": NC_("filing outcome", "Approved"),
    "rejected": NC_("filing outcome", "Rejected"),
    "noted": NC_("filing outcome", "Noted"),
    "referred": NC_("filing outcome", "Referred for investigation"),
}
# The regulator's queue: filings awaiting its action.
AWAITING = frozenset({"submitted", "resubmitted", "accepted", "under_review"})
DONE = N_("Done.")


def moves_for(caller: Caller, filing: Filing | FilingDetailOut) -> list[str]:
    """The workflow actions open to the caller's side from where the filing stands (the
    workflow refuses anything else anyway; this only hides buttons that would fail)."""
    state = FilingState(filing.state)
    filer = _in_chain(caller, filing)
    regulator = supervises(caller, filing.jurisdiction_path)
    found = []
    for action, (sources, _) in MOVES.items():
        side = filer if action in FILER_ACTIONS else regulator
        acked = filing.acknowledgement is not None
        if (action == "accept" and acked) or (action == "review" and not acked):
            continue
        if side and state in sources:
            found.append(action)
    return found


def can_attach(caller: Caller, filing: FilingDetailOut) -> bool:
    return _in_chain(caller, filing) and filing.state in ("drafted", "returned")


def _in_chain(caller: Caller, filing: Filing | FilingDetailOut) -> bool:
    return caller.org_id in (filing.filer_org_id, filing.chain_org_id)


def current_issues(session: Session, detail: FilingDetailOut) -> list[Issue]:
    """The current version's issues, as submission would find them (the version before
    it is the `previous` a resubmission is checked against)."""
    form = form_in_force(session, detail.form_code, detail.form_version)
    by_number = {v.number: v.content for v in detail.versions}
    previous = by_number.get(detail.current_version - 1)
    return check_content(form, by_number.get(detail.current_version), previous)


def leaf_indexes(session: Session, event_ids: list[str]) -> dict[str, int]:
    """The ledger index of each step's event, for links to the receipt checker."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(LedgerEvent.event_id, LedgerEvent.leaf_index).where(
            LedgerEvent.event_id.in_(event_ids)
        )
    )
    return {event_id: index for event_id, index in rows}


def explanations_of(form: Any) -> dict[str, str]:
    """The explanations typed in the page: fields `explain.<location>`, non-empty."""
    prefix = "explain."
    return {
        str(k)[len(prefix) :]: str(v).strip()
        for k, v in form.items()
        if str(k).startswith(prefix) and isinstance(v, str) and v.strip()
    }
