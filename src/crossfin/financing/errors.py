"""Financing errors: balance refusals (recorded for the regulator), caps.

Maker-checker (403 /maker-checker) is shared with payments: `core.errors.MakerChecker`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crossfin.core.errors import Conflict, CrossfinError
from crossfin.documents.errors import Shortfall


@dataclass(frozen=True)
class Attempt:
    """What the refused request was, for the alert recorded after the rollback."""

    bank_org_id: int
    enterprise_org_id: int
    jurisdiction_path: str | None
    scenario: str
    external_ref: str
    amount: str
    currency: str
    shortfalls: tuple[Shortfall, ...] = field(default_factory=tuple)


class FinancingRefused(Conflict):
    """The documents' one balance cannot carry the request; base of the two refusals."""

    slug = "financing-refused"
    title = "The documents cannot carry this financing"

    def __init__(self, attempt: Attempt) -> None:
        first = attempt.shortfalls[0]
        detail = (
            f"{first.kind} {first.key} has {first.public()['remaining']} "
            f"{first.currency} left".rstrip()
        )
        if first.single_use and first.exhausted:
            detail = f"{first.kind} {first.key} is single use and already pledged"
        super().__init__(
            detail, document=first.public(), documents=[s.public() for s in attempt.shortfalls]
        )
        self.attempt = attempt

    @staticmethod
    def of(attempt: Attempt) -> FinancingRefused:
        """The right subclass: nothing left on some document, or less left than asked."""
        if any(s.exhausted for s in attempt.shortfalls):
            return DuplicateFinancing(attempt)
        return OverFinancing(attempt)


class DuplicateFinancing(FinancingRefused):
    slug = "duplicate-financing"
    title = "The document is already fully financed"


class OverFinancing(FinancingRefused):
    slug = "over-financing"
    title = "The document has less left than asked"


class ScenarioLimitExceeded(CrossfinError):
    """The scenario's own cap (advance ratio, credit limit, validity) refuses the amount."""

    status = 422
    slug = "scenario-limit"
    title = "The scenario does not allow this financing"


class NeedExpired(Conflict):
    """An F7 need past its last day takes no offer and no acceptance."""

    slug = "need-expired"
    title = "The financing need has expired"


class ReleaseBeyondRepayment(Conflict):
    """F8: the goods asked exceed what the repayments so far release."""

    slug = "release-beyond-repayment"
    title = "The repayments do not cover this release of pledged goods"
