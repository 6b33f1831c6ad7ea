"""Payment errors: an invoice already used, a tax filing required or exhausted (each recorded
for the regulator), out of scope."""

from __future__ import annotations

from dataclasses import dataclass

from crossfin.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from crossfin.core.money import format_amount
from crossfin.documents.errors import Shortfall


@dataclass(frozen=True)
class UsedAttempt:
    """What the refused payment was, for the alert recorded with the refusal."""

    bank_org_id: int
    payer_org_id: int
    jurisdiction_path: str | None
    scenario: str
    external_ref: str
    shortfalls: tuple[Shortfall, ...]


class AlreadyUsed(Conflict):
    """A document the payment needs whole is already used (by any bank, any scenario).

    It names the document (kind, key) and never who holds it (promise 3).
    """

    slug = "already-used"
    title = "The document is already used"

    def __init__(self, attempt: UsedAttempt) -> None:
        first = attempt.shortfalls[0]
        super().__init__(
            f"{first.kind} {first.key} is already used",
            document={"kind": first.kind, "key": first.key},
            documents=[{"kind": s.kind, "key": s.key} for s in attempt.shortfalls],
        )
        self.attempt = attempt


class OutOfScope(Forbidden):
    """The scenario is limited to payers seated in named jurisdiction subtrees."""

    slug = "out-of-scope"
    title = "The payer is outside the scenario's jurisdictions"


class FilingRequired(ValidationFailed):
    """A single payment above the scenario's threshold (USD equivalent) names no filing."""

    slug = "filing-required"
    title = "A tax filing is required above the threshold"

    def __init__(self, attempt: UsedAttempt, usd: str, threshold: str, version: int) -> None:
        reason = (
            f"a single {attempt.scenario} payment above USD {threshold} equivalent needs a tax "
            f"filing (this one is USD {usd}; threshold v{version})"
        )
        super().__init__([FieldError("documents", reason)], reason)
        self.extra |= {"threshold": threshold, "threshold_version": version, "usd_equivalent": usd}
        self.attempt = attempt


class FilingExhausted(Conflict):
    """The payment needs more than its filing has left (one filing, several payments).

    It names the filing the bank itself presented and what is left of it, never who used it.
    """

    slug = "filing-exhausted"
    title = "The tax filing has not enough left"

    def __init__(self, attempt: UsedAttempt) -> None:
        short = attempt.shortfalls[0]
        left = format_amount(short.remaining_minor, short.currency)
        asked = format_amount(short.requested_minor, short.currency)
        super().__init__(
            f"tax filing {short.key} has {left} {short.currency} left; the payment needs "
            f"{asked} {short.currency}",
            filing=short.key,
            remaining=left,
            requested=asked,
            currency=short.currency,
        )
        self.attempt = attempt
        self.short = short
