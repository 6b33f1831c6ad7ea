"""A negotiable bill of lading's title, read from its endorsement chain when a financing
pledges it (F5, or any scenario naming such a bill).

Where the carrier records the chain (documents/ebl), the chain, not the document's shipper
field, says who may pledge the bill: its current holder, while the bill is neither
surrendered to the carrier nor pledged in the chain to another bank. A bill without a
recorded chain is judged as before, by its owner. docs/financing.md, "F5".

The chain is read in the balance's `reserve` step, never before: a step on the chain takes
the bill's balance row lock first (documents/ebl/service.open_bill), so only a read under
that lock sees every step committed before this registration and none after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from crossfin.documents.ebl.chain import ChainState, Status
from crossfin.documents.ebl.store import state_of, steps_of
from crossfin.financing.errors import (
    Attempt,
    BillSurrendered,
    NotHolder,
    PledgedToAnotherBank,
    TitleRefused,
)
from crossfin.financing.scenarios.base import Loaded

BILL = "bill_of_lading"


class Titles:
    """The chains of the bills a batch names, each read once, under its balance lock.

    A registration adds no chain step, so a chain read for one entry of a batch stands
    for the later ones (the lock is held until the batch commits)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._states: dict[int, ChainState | None] = {}

    def state(self, document_id: int) -> ChainState | None:
        """The bill's chain state, None without a recorded chain. Precondition: the
        document's balance row is locked in this transaction."""
        if document_id not in self._states:
            steps = steps_of(self.session, document_id)
            self._states[document_id] = state_of(steps) if steps else None
        return self._states[document_id]

    def refusal(
        self, attempt: Attempt, applicant_uscc: str | None, docs: Sequence[Loaded]
    ) -> TitleRefused | None:
        """Why the first negotiable bill in `docs` may not be pledged to the attempt's
        bank by the applicant, or None when every chain allows it (or none is recorded)."""
        for doc in docs:
            if doc.document.kind != BILL or not doc.content.get("negotiable"):
                continue
            state = self.state(doc.document.id)
            if state is None:
                continue
            found = _refusal(state, attempt.bank_org_id, applicant_uscc)
            if found is not None:
                cls, reason = found
                return cls(attempt, doc.field, doc.document.kind, doc.document.key, reason)
        return None


def _refusal(
    state: ChainState, bank_org_id: int, applicant_uscc: str | None
) -> tuple[type[TitleRefused], str] | None:
    if state.status is Status.SURRENDERED:
        return BillSurrendered, "surrendered to the carrier: its chain has ended"
    if state.status is Status.PLEDGED and state.pledgee_org_id != bank_org_id:
        return PledgedToAnotherBank, "pledged in its chain to another bank until it releases it"
    holder = state.holder
    # A holder named without a USCC (or on another platform) is nobody on crossfin.
    if holder is None or holder.uscc is None or holder.uscc != applicant_uscc:
        return NotHolder, "the applicant is not its current holder in the endorsement chain"
    return None
