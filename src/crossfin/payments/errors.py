"""Payment errors: an invoice already used (recorded for the regulator), out of scope."""

from __future__ import annotations

from dataclasses import dataclass

from crossfin.core.errors import Conflict, Forbidden
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
