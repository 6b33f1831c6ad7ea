"""A negotiable bill of lading's title, read from its endorsement chain, before F5 (or
any scenario) pledges it.

Where the carrier records the chain (documents/ebl), the chain, not the document's
shipper field, says who may pledge the bill: its current holder, while the bill is
neither surrendered to the carrier nor pledged in the chain to another bank. A bill
without a recorded chain is judged as before, by its owner. docs/financing.md, "F5".
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from crossfin.core.errors import FieldError, ValidationFailed
from crossfin.documents.ebl.chain import ChainState, Status
from crossfin.documents.ebl.store import state_of, steps_of
from crossfin.financing.scenarios.base import Loaded

BILL = "bill_of_lading"


def check_title(
    session: Session, bank_org_id: int, applicant_uscc: str | None, docs: Sequence[Loaded]
) -> None:
    """422 naming `documents[i]` for each negotiable bill whose chain does not let the
    applicant pledge it to this bank."""
    errors = []
    for doc in docs:
        if doc.document.kind != BILL or not doc.content.get("negotiable"):
            continue
        steps = steps_of(session, doc.document.id)
        if steps:
            reason = _refusal(state_of(steps), bank_org_id, applicant_uscc)
            if reason:
                errors.append(FieldError(doc.field, f"{doc.label}: {reason}"))
    if errors:
        raise ValidationFailed(errors)


def _refusal(state: ChainState, bank_org_id: int, applicant_uscc: str | None) -> str | None:
    if state.status is Status.SURRENDERED:
        return "surrendered to the carrier: its chain has ended"
    if state.status is Status.PLEDGED and state.pledgee_org_id != bank_org_id:
        return "pledged in its chain to another bank until that bank releases it"
    holder = state.holder
    if holder is None or holder.uscc is None:
        return "its holder is on another platform (the chain names no USCC)"
    if holder.uscc != applicant_uscc:
        return "the applicant is not its current holder in the endorsement chain"
    return None
