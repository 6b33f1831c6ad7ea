"""F6 China-Europe Railway Express financing: one rail consignment note (CIM/SMGS).

The consignment note plays the bill of lading's role in F5: single use, the pledge locks
it until the financing ends (repaid in full, rejected, cancelled or expired), so it backs
one financing at a time across banks. The route must run between China and another
country (either way: westbound exports, eastbound imports).

Caps (financing/caps, F6Caps): when the note declares a value, the loan is at most
`pledge_ratio` of it; the railway must have accepted the consignment at most
`max_note_age_days` before the financing's date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.caps.schemas import F6Caps
from crossfin.financing.errors import ScenarioLimitExceeded
from crossfin.financing.scenarios.base import (
    Loaded,
    Request,
    Scenario,
    caps_as,
    raise_if,
    ratio_of,
)

NOTE = "rail_consignment_note"


class RailExpressFinancing(Scenario):
    name = "F6"
    title = "China-Europe Railway Express financing"
    kinds = frozenset({NOTE})

    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        errors = self.check_kinds(docs, self.kinds)
        if len(docs) != 1:
            errors.append(FieldError("documents", "name exactly one rail consignment note"))
        raise_if(errors)
        raise_if(self.check_owner(request, docs))
        note = docs[0]
        if note.amount_minor not in (None, request.amount_minor):
            raise_if([FieldError(note.field, "the single document carries the whole loan")])
        raise_if(self._check_route(note))
        self._check_age(request, note)
        return [Claim(note.document, "pledge", request.amount_minor, note="rail consignment")]

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        if not claim.document.value_minor:
            return None  # no declared value: the bank judges the pledge itself
        return ratio_of(claim.document.value_minor, caps_as(request, F6Caps).pledge_ratio)

    def fits(self, kinds: Sequence[str]) -> bool:
        return list(kinds) == [NOTE]

    @staticmethod
    def _check_route(note: Loaded) -> list[FieldError]:
        ends = (note.content["departure_country"], note.content["destination_country"])
        if "CN" in ends and ends != ("CN", "CN"):
            return []
        return [
            FieldError(
                f"{note.field}.destination_country",
                f"{note.label} does not run between China and another country",
            )
        ]

    @staticmethod
    def _check_age(request: Request, note: Loaded) -> None:
        limit = caps_as(request, F6Caps).max_note_age_days
        accepted = date.fromisoformat(note.content["acceptance_date"])
        age = (request.today - accepted).days
        if age > limit:
            raise ScenarioLimitExceeded(
                f"{note.label} was accepted on {accepted}, {age} days ago; F6 accepts notes "
                f"at most {limit} days old",
                field=f"{note.field}.acceptance_date",
                document={"kind": NOTE, "key": note.document.key},
                limit_days=limit,
            )
