"""One workflow step of a filing: its ledger event (with the filing's state commitment)
and its row in the filing's history, in the request's transaction."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from crossfin.core.clock import utcnow
from crossfin.filings.models import Filing, FilingStep
from crossfin.filings.notices import notify_step
from crossfin.filings.state import filing_commitment
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller
from crossfin.parties.offices import handling_office


class FilingState(StrEnum):
    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


FINAL = frozenset({FilingState.DECIDED, FilingState.CLOSED, FilingState.WITHDRAWN})
# A regulator has taken the filing (statistics: its figures are the accepted ones).
ACKNOWLEDGED = frozenset({FilingState.ACCEPTED, FilingState.UNDER_REVIEW, FilingState.DECIDED})


def parties_of(uow: UnitOfWork, caller: Caller, filing: Filing) -> set[int]:
    """Who the event names: the chain, the actor, and once the filing is submitted the
    office handling its jurisdiction (a bank has no seat, so its regulators would
    otherwise not read it; a draft's events stay the chain's)."""
    parties = {filing.filer_org_id, filing.chain_org_id, caller.org_id}
    if filing.submitted_at is None:
        return parties
    office = handling_office(uow.session, filing.jurisdiction_path)
    if office is not None:
        parties.add(office.id)
    return parties


def record_step(
    uow: UnitOfWork,
    caller: Caller,
    filing: Filing,
    event: EventType,
    before: FilingState | None,
    note: str | None = None,
    **detail: Any,
) -> Receipt:
    """Record the step that left `filing` as it is now (state already set)."""
    now = utcnow()
    filing.updated_at = now
    content = {
        "filing": filing.id,
        "reference": filing.reference,
        "from": before.value if before else None,
        "to": filing.state,
        "version": filing.current_version,
        **({"note": note} if note else {}),
        **detail,
    }
    receipt = uow.record(
        event,
        subjects={"filing": filing.id},
        content=content,
        parties=parties_of(uow, caller, filing),
        state=filing_commitment(uow.session, filing),
    )
    uow.session.add(
        FilingStep(
            filing_id=filing.id,
            action=event.value.rsplit(":", 1)[1],
            from_state=before.value if before else None,
            to_state=filing.state,
            org_id=caller.org_id,
            principal_id=caller.principal_id,
            principal_name=caller.principal_name,
            note=note,
            event_id=receipt.event_id,
            created_at=now,
        )
    )
    uow.session.flush()
    notify_step(uow.session, filing, event, note)
    return receipt
