"""Work on a draft before it is filed: the filer's chain revises its content, and for a
form its head office files (`definition.filed_by: "head_office"`, a risk report), the
head office sends a branch's draft back to the branch with a note.

Neither moves the state machine: the filing stays `drafted`; each is one ledger event and
one row in the filing's history, so who asked what of whom is on the record.
"""

from __future__ import annotations

import json
from typing import Any

from crossfin.core.errors import Conflict, Forbidden, IllegalTransition, invalid
from crossfin.core.settings import Settings
from crossfin.filings.catalogue import form_in_force
from crossfin.filings.models import Filing
from crossfin.filings.steps import FilingState, record_step
from crossfin.filings.systems import prepare_content
from crossfin.filings.versions import add_version
from crossfin.filings.visibility import require_filer_side, visible_filing
from crossfin.ledger.events import EventType
from crossfin.ledger.journal import Receipt
from crossfin.ledger.uow import UnitOfWork
from crossfin.parties.access import Caller, require_writer


def _draft(uow: UnitOfWork, caller: Caller, filing_id: int) -> Filing:
    """The draft, locked: 404 unless read, 403 off the filer's chain, 409 once filed."""
    require_writer(caller)
    filing = visible_filing(uow.session, caller, filing_id, lock=True)
    require_filer_side(caller, filing)
    if filing.state != FilingState.DRAFTED.value:
        raise IllegalTransition(f"a filing {filing.state} is no longer a draft", state=filing.state)
    return filing


def revise(
    uow: UnitOfWork,
    caller: Caller,
    filing_id: int,
    content: dict[str, Any],
    settings: Settings | None = None,
) -> tuple[Filing, Receipt]:
    """Store new content for a draft (prepared like any new content): a new version."""
    filing = _draft(uow, caller, filing_id)
    form = form_in_force(uow.session, filing.form_code, filing.form_version)
    prepared = prepare_content(uow.session, caller, form, content, settings)
    version = add_version(uow.session, caller, filing, prepared)
    receipt = record_step(
        uow,
        caller,
        filing,
        EventType.FILING_REVISED,
        FilingState.DRAFTED,
        content_sha256=version.content_sha256,
    )
    return filing, receipt


def send_back(uow: UnitOfWork, caller: Caller, filing_id: int, note: str) -> tuple[Filing, Receipt]:
    """The head office returns a branch's draft to the branch, saying what to change."""
    if not note.strip():
        raise invalid("note", "say what the branch should change")
    filing = _draft(uow, caller, filing_id)
    form = form_in_force(uow.session, filing.form_code, filing.form_version)
    if json.loads(form.definition).get("filed_by") != "head_office":
        raise Conflict(f"form {form.code} has no head office review", form=form.code)
    if caller.org_id != filing.chain_org_id:
        raise Forbidden("only the filer's head office sends a draft back")
    if filing.filer_org_id == filing.chain_org_id:
        raise Conflict("the head office drafted this itself: there is no branch to send it to")
    receipt = record_step(
        uow, caller, filing, EventType.FILING_SENT_BACK, FilingState.DRAFTED, note.strip()
    )
    return filing, receipt
