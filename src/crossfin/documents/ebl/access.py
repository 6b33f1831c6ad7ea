"""Who may read a bill's chain, and the bill itself: outsiders learn nothing (404).

Readers: whoever reads the document (its issuing source, its owner enterprise, a consented
bank, covering regulators), plus every party the chain names: the sources keeping a
holder's register, present and past holders (enterprises by USCC), pledgee banks, and the
banks of financings that pledge it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossfin.core.errors import invalid
from crossfin.documents.access.rules import can_read_document
from crossfin.documents.ebl.models import EblStep
from crossfin.documents.ebl.pledges import FinancingPledge
from crossfin.documents.models import Document
from crossfin.parties.access import Caller
from crossfin.parties.models import Organization

KIND = "bill_of_lading"


def find_bill(session: Session, key: str, *, lock: bool = False) -> Document | None:
    query = select(Document).where(Document.kind == KIND, Document.key == key)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).one_or_none()


def named_orgs(steps: list[EblStep], pledges: list[FinancingPledge]) -> set[int]:
    """Organizations the chain or a pledging financing names."""
    found = {p.bank_org_id for p in pledges}
    for step in steps:
        found |= {step.recorded_by_org_id}
        found |= {i for i in (step.to_source_org_id, step.pledgee_org_id) if i is not None}
    return found


def _holder_usccs(steps: list[EblStep]) -> set[str]:
    return {s.to_uscc for s in steps if s.to_uscc}


def can_read_chain(
    session: Session,
    caller: Caller,
    doc: Document,
    steps: list[EblStep],
    pledges: list[FinancingPledge],
) -> bool:
    """The document's readers and every party its chain names."""
    if can_read_document(session, caller, doc) or caller.org_id in named_orgs(steps, pledges):
        return True
    usccs = _holder_usccs(steps)
    if not usccs:
        return False
    uscc = session.scalar(select(Organization.uscc).where(Organization.id == caller.org_id))
    return uscc is not None and uscc in usccs


def negotiable(content: dict[str, object], key: str) -> None:
    """Only a negotiable bill has an endorsement chain."""
    if content.get("negotiable") is not True:
        raise invalid("bl_no", f"bill of lading {key} is not negotiable: it has no chain")
