"""A financing's uses of its documents: releasing them on repayment, rejection or expiry.

The balance they rest on is the documents' own (documents/balance.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from crossfin.core.clock import utcnow
from crossfin.documents.balance import give_back, split_pro_rata
from crossfin.documents.models import DocumentBalance
from crossfin.financing.models import FinancingUse


def release(balances: dict[int, DocumentBalance], plan: Sequence[tuple[FinancingUse, int]]) -> None:
    """Cover `alloc` more of each use's allocation and give back the balance that frees.

    Multi-use documents get back their reserved amount in proportion to the allocation
    covered (rounded down); a single-use document is held until its whole allocation is
    covered; a fully covered use returns whatever is left and stops counting.
    Precondition: `balances` holds these uses' documents, locked (`lock_balances`).
    """
    now = utcnow()
    for use, alloc in plan:
        if not use.active:
            continue
        use.released_alloc_minor = min(use.released_alloc_minor + alloc, use.allocated_minor)
        done = use.released_alloc_minor >= use.allocated_minor
        if done:
            target = use.reserved_minor
        elif use.counts_use:
            target = 0
        else:
            target = use.reserved_minor * use.released_alloc_minor // use.allocated_minor
        amount = max(target - use.released_minor, 0)
        use.released_minor += amount
        if done:
            use.active = False
        give_back(balances[use.document_id], amount, ends_use=done and use.counts_use, now=now)


def release_all(balances: dict[int, DocumentBalance], uses: Sequence[FinancingUse]) -> None:
    """End every active use (rejection, cancellation, expiry, full repayment)."""
    release(balances, [(u, u.allocated_minor - u.released_alloc_minor) for u in uses])


def repayment_plan(
    uses: Sequence[FinancingUse], repaid_minor: int
) -> list[tuple[FinancingUse, int]]:
    """Split a repayment across the active uses, per role group, pro rata.

    Each role group (F4: the policy; the declarations) carries the whole loan, so each
    group covers exactly `repaid_minor`, split in proportion to what each use still
    carries (largest remainder, see `split_pro_rata`).
    """
    groups: dict[str, list[FinancingUse]] = {}
    for use in uses:
        if use.active:
            groups.setdefault(use.role, []).append(use)
    plan: list[tuple[FinancingUse, int]] = []
    for members in groups.values():
        members.sort(key=lambda u: u.id)
        outstanding = [u.allocated_minor - u.released_alloc_minor for u in members]
        total = min(repaid_minor, sum(outstanding))
        if total > 0:
            plan.extend(zip(members, split_pro_rata(total, outstanding), strict=True))
    return plan
