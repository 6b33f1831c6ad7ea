"""Financing errors: balance and title refusals (recorded for the regulator), caps.

Maker-checker (403 /maker-checker) is shared with payments: `core.errors.MakerChecker`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crossfin.core.errors import Conflict, CrossfinError, FieldError, ValidationFailed
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


class TitleRefused(ValidationFailed):
    """A negotiable bill's endorsement chain does not let the applicant pledge it to this
    bank (financing/ebl_title.py); base of the three reasons, never sent itself.

    A 422 naming `documents[i]`, decided under the bill's balance lock and recorded as a
    refused attempt like the balance's refusals (refusals.py)."""

    slug = "ebl-title-refused"
    title = "The bill of lading's endorsement chain does not let the applicant pledge it"

    def __init__(self, attempt: Attempt, field: str, kind: str, key: str, reason: str) -> None:
        super().__init__(
            [FieldError(field, f"{kind} {key}: {reason}")], document={"kind": kind, "key": key}
        )
        self.attempt = attempt
        self.kind, self.key, self.reason = kind, key, reason


class BillSurrendered(TitleRefused):
    slug = "ebl-surrendered"
    title = "The bill of lading was surrendered to the carrier: its chain has ended"


class NotHolder(TitleRefused):
    slug = "ebl-not-holder"
    title = "The applicant is not the bill of lading's current holder in its chain"


class PledgedToAnotherBank(TitleRefused):
    slug = "ebl-pledged-to-another-bank"
    title = "The bill of lading is pledged in its chain to another bank"


# What registration records as a refused attempt (refusals.py).
Refusal = FinancingRefused | TitleRefused


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
