"""The review workflow between a filer and its regulators, one function per transition.

drafted -> submitted (filer) -> accepted (regulator: acknowledgement number) | returned for
supplement (regulator, reason; the clock pauses) -> resubmitted (filer: a new version;
the clock resumes) -> under_review -> decided (outcome, reasons) | closed (outcome);
withdrawn by the filer before a decision. Any other move is 409 /illegal-transition
naming the current state. Every step is one ledger event committing to the filing.

A form may say who files (`definition.filed_by: "head_office"`, a risk report): then
only the filer's head office submits and resubmits, never the branch itself (403);
new content is prepared by `systems.prepare_content` before it is stored.
"""

from __future__ import annotations

import json
from typing import Any

from crossfin.core.clock import business_date, utcnow
from crossfin.core.errors import IllegalTransition, invalid
from crossfin.core.settings import Settings
from crossfin.filings import systems, timing
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.models import Filing, FilingForm
from crossfin.filings.schemas import ClockStart, OutcomeIn, SubmitIn, System
from crossfin.filings.statistics.continuity import continuity_base
from crossfin.filings.statistics.standing import require_open
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.versions import add_version, clean_explanations, content_of, version_of, vet
from crossfin.filings.visibility import (
    require_filer_side,
    require_regulator_side,
    visible_filing,
)
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer

S = FilingState
# Where each action may start from, and where it leads.
MOVES: dict[str, tuple[frozenset[FilingState], FilingState]] = {
    "submit": (frozenset({S.DRAFTED}), S.SUBMITTED),
    "accept": (frozenset({S.SUBMITTED, S.RESUBMITTED}), S.ACCEPTED),
    "return": (frozenset({S.SUBMITTED, S.ACCEPTED, S.RESUBMITTED, S.UNDER_REVIEW}), S.RETURNED),
    "resubmit": (frozenset({S.RETURNED}), S.RESUBMITTED),
    "review": (frozenset({S.ACCEPTED, S.RESUBMITTED}), S.UNDER_REVIEW),
    "decide": (frozenset({S.UNDER_REVIEW}), S.DECIDED),
    "close": (frozenset({S.SUBMITTED, S.ACCEPTED, S.RESUBMITTED, S.UNDER_REVIEW}), S.CLOSED),
    "withdraw": (frozenset(set(S) - {S.DECIDED, S.CLOSED, S.WITHDRAWN}), S.WITHDRAWN),
}
FILER_ACTIONS = frozenset({"submit", "resubmit", "withdraw"})


def _begin(uow: UnitOfWork, caller: Caller, filing_id: int, action: str) -> tuple[Filing, S]:
    """The filing, locked, if the caller reads it (404), acts on its side (403) and the
    move is legal from where it stands (409 naming the state)."""
    require_writer(caller)
    filing = visible_filing(uow.session, caller, filing_id, lock=True)
    if action in FILER_ACTIONS:
        require_filer_side(caller, filing)
    else:
        require_regulator_side(caller, filing)
    before = S(filing.state)
    sources, _ = MOVES[action]
    form = uow.session.get_one(FilingForm, filing.form_id)
    if (
        before not in sources
        or not _guard(action, filing)
        or not systems.allows(uow.session, form, filing, action)
    ):
        raise IllegalTransition(
            f"a filing {before.value} cannot be moved by {action}", state=before.value
        )
    filing.state = MOVES[action][1].value
    return filing, before


def _system_step(
    uow: UnitOfWork, filing: Filing, action: str, outcome: tuple[str, str | None] | None = None
) -> None:
    form = uow.session.get_one(FilingForm, filing.form_id)
    systems.before_step(uow.session, form, filing, action, outcome)


def _guard(action: str, filing: Filing) -> bool:
    """A resubmission is accepted once: acknowledged ones go to review, others are
    accepted before they are reviewed."""
    if action == "accept":
        return filing.acknowledgement is None
    if action == "review":
        return filing.acknowledgement is not None
    return True


def _content(
    uow: UnitOfWork,
    caller: Caller,
    filing: Filing,
    data: SubmitIn,
    settings: Settings | None,
    *,
    new_version: bool,
) -> dict[str, Any]:
    """Check the content to submit (new content, prepared; or the current version's) and
    store it; a new version when content is given or `new_version`. The event's detail."""
    session = uow.session
    form = form_in_force(session, filing.form_code, filing.form_version)
    systems.require_filer(form, caller, filing)
    current = version_of(session, filing.id, filing.current_version)
    previous = content_of(current)
    content = previous
    if data.content is not None:
        content = systems.prepare_content(session, caller, form, data.content, settings)
    base = previous if new_version else None
    if form.system == System.STATISTICS.value:
        # Statistics compare openings with last period's accepted closing, not this
        # filing's own last version; and a filing past its deadline is locked.
        require_open(session, filing, form)
        base = continuity_base(session, filing)[0]
    explained = vet(form, content, base, clean_explanations(data.explanations))
    version = current
    if data.content is not None or new_version:
        version = add_version(session, caller, filing, content)
    version.explanations = json.dumps(explained, sort_keys=True, ensure_ascii=False)
    return {"content_sha256": version.content_sha256, "explained": sorted(explained)}


def submit(
    uow: UnitOfWork,
    caller: Caller,
    filing_id: int,
    data: SubmitIn,
    settings: Settings | None = None,
) -> tuple[Filing, Receipt]:
    """The filer's chain submits the draft (checked by `checks.check_content`)."""
    filing, before = _begin(uow, caller, filing_id, "submit")
    detail = _content(uow, caller, filing, data, settings, new_version=False)
    _system_step(uow, filing, "submit")
    filing.submitted_at = utcnow()
    timing.start_if(uow.session, filing, ClockStart.SUBMITTED)
    return filing, record_step(uow, caller, filing, EventType.FILING_SUBMITTED, before, **detail)


def accept(uow: UnitOfWork, caller: Caller, filing_id: int) -> tuple[Filing, Receipt]:
    """A covering regulator acknowledges the filing with an acknowledgement number."""
    filing, before = _begin(uow, caller, filing_id, "accept")
    filing.acknowledgement = f"ACK-{business_date():%Y%m%d}-{caller.org_id}-{filing.id:06d}"
    timing.start_if(uow.session, filing, ClockStart.ACCEPTED)
    _system_step(uow, filing, "accept")
    ack = filing.acknowledgement
    return filing, record_step(
        uow, caller, filing, EventType.FILING_ACCEPTED, before, acknowledgement=ack
    )


def return_for_supplement(
    uow: UnitOfWork, caller: Caller, filing_id: int, reason: str
) -> tuple[Filing, Receipt]:
    """A covering regulator asks for more; the deadline clock pauses until resubmission."""
    filing, before = _begin(uow, caller, filing_id, "return")
    timing.pause(filing)
    return filing, record_step(uow, caller, filing, EventType.FILING_RETURNED, before, reason)


def resubmit(
    uow: UnitOfWork,
    caller: Caller,
    filing_id: int,
    data: SubmitIn,
    settings: Settings | None = None,
) -> tuple[Filing, Receipt]:
    """The filer supplies: always a new version (the given content, else the same content
    again, its new attachments then being the supplement); the clock resumes."""
    filing, before = _begin(uow, caller, filing_id, "resubmit")
    detail = _content(uow, caller, filing, data, settings, new_version=True)
    _system_step(uow, filing, "resubmit")
    timing.resume(filing)
    return filing, record_step(uow, caller, filing, EventType.FILING_RESUBMITTED, before, **detail)


def review(
    uow: UnitOfWork, caller: Caller, filing_id: int, note: str | None
) -> tuple[Filing, Receipt]:
    filing, before = _begin(uow, caller, filing_id, "review")
    return filing, record_step(uow, caller, filing, EventType.FILING_REVIEWED, before, note)


def decide(
    uow: UnitOfWork, caller: Caller, filing_id: int, data: OutcomeIn
) -> tuple[Filing, Receipt]:
    """The decision: an outcome and its reasons (required)."""
    if not (data.reasons or "").strip():
        raise invalid("reasons", "a decision states its reasons")
    return _finish(uow, caller, filing_id, "decide", EventType.FILING_DECIDED, data)


def close(
    uow: UnitOfWork, caller: Caller, filing_id: int, data: OutcomeIn
) -> tuple[Filing, Receipt]:
    return _finish(uow, caller, filing_id, "close", EventType.FILING_CLOSED, data)


def _finish(
    uow: UnitOfWork, caller: Caller, filing_id: int, action: str, event: EventType, data: OutcomeIn
) -> tuple[Filing, Receipt]:
    filing, before = _begin(uow, caller, filing_id, action)
    form = form_in_force(uow.session, filing.form_code, filing.form_version)
    systems.check_outcome(form, data.outcome)
    _system_step(uow, filing, action, (data.outcome, data.reasons))
    filing.outcome = data.outcome
    filing.reasons = (data.reasons or "").strip() or None
    filing.finished_on = business_date()
    timing.resume(filing)  # a pause never outlives the filing
    code = {"verification_code": filing.verification_code} if filing.verification_code else {}
    receipt = record_step(
        uow, caller, filing, event, before, outcome=data.outcome, reasons=filing.reasons, **code
    )
    return filing, receipt


def withdraw(
    uow: UnitOfWork, caller: Caller, filing_id: int, note: str | None
) -> tuple[Filing, Receipt]:
    """The filer's chain withdraws the filing before a decision."""
    filing, before = _begin(uow, caller, filing_id, "withdraw")
    filing.finished_on = business_date()
    timing.resume(filing)
    return filing, record_step(uow, caller, filing, EventType.FILING_WITHDRAWN, before, note)
