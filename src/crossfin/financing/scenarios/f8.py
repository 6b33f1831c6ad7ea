"""F8 port cloud-warehouse financing: one warehouse receipt, its goods pledged.

The receipt is single use (the kind's rule): the pledge holds it whole until the
financing ends, whoever else (F5 at another bank) asks for it. What F8 adds is the life of
the pledged stock (financing/warehouse/): the bank releases goods as the loan is repaid,
in proportion (repaying X of the amount releases X/amount of the pledged quantity), and the
warehouse may revalue the receipt (a new version); when the loan-to-value then exceeds the
cap, an alert is raised and the bank told.

Caps (financing/caps, F8Caps): the loan is at most `advance_ratio` of the receipt's
valuation; `max_ltv` is the revaluation threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.caps.schemas import F8Caps
from crossfin.financing.scenarios.base import (
    Loaded,
    Request,
    Scenario,
    caps_as,
    raise_if,
    ratio_of,
)

RECEIPT = "warehouse_receipt"


class CloudWarehouseFinancing(Scenario):
    name = "F8"
    title = "Port cloud-warehouse financing"
    kinds = frozenset({RECEIPT})

    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        errors = self.check_kinds(docs, self.kinds)
        if len(docs) != 1:
            errors.append(FieldError("documents", "name exactly one warehouse receipt"))
        raise_if(errors)
        raise_if(self.check_owner(request, docs))
        receipt = docs[0]
        if receipt.amount_minor not in (None, request.amount_minor):
            raise_if([FieldError(receipt.field, "the single document carries the whole loan")])
        pledged = f"{receipt.content['quantity']} {receipt.content['unit']} pledged"
        return [Claim(receipt.document, "pledge", request.amount_minor, note=pledged)]

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        return ratio_of(claim.document.value_minor, caps_as(request, F8Caps).advance_ratio)

    def fits(self, kinds: Sequence[str]) -> bool:
        # An F7 offer on a receipt opens F5 (listed first); F8 is applied for directly.
        return False
