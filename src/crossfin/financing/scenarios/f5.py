"""F5 logistics and port-shipping financing: one bill of lading or warehouse receipt.

Both kinds are single use: the pledge locks the document until the financing ends
(repaid in full, rejected, cancelled or expired). A negotiable bill of lading is recorded as
endorsed to the financing bank on its use, so it backs one financing at a time. When the
document carries a value, the loan is capped at `pledge_ratio` (F5Caps) of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.caps.schemas import F5Caps
from crossfin.financing.scenarios.base import (
    Loaded,
    Request,
    Scenario,
    caps_as,
    raise_if,
    ratio_of,
)


class LogisticsFinancing(Scenario):
    name = "F5"
    title = "Logistics and port-shipping financing"
    kinds = frozenset({"bill_of_lading", "warehouse_receipt"})

    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        errors = self.check_kinds(docs, self.kinds)
        if len(docs) != 1:
            errors.append(
                FieldError("documents", "name exactly one bill of lading or warehouse receipt")
            )
        raise_if(errors)
        raise_if(self.check_owner(request, docs))
        doc = docs[0]
        if doc.amount_minor not in (None, request.amount_minor):
            raise_if([FieldError(doc.field, "the single document carries the whole loan")])
        note = None
        if doc.document.kind == "bill_of_lading" and doc.content.get("negotiable"):
            note = "negotiable bill of lading endorsed to the financing bank"
        return [Claim(doc.document, "pledge", request.amount_minor, note=note)]

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        if not claim.document.value_minor:
            return None  # no declared value: the bank judges the pledge itself
        return ratio_of(claim.document.value_minor, caps_as(request, F5Caps).pledge_ratio)

    def fits(self, kinds: Sequence[str]) -> bool:
        return len(kinds) == 1 and set(kinds) <= self.kinds
