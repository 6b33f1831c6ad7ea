"""F3 import cash-on-delivery financing: import declarations of the applicant (the
importer), each carrying an allocated share of the loan within its remaining balance.

The bank pays the foreign seller on delivery against the goods declared at import. The
declarations are the same `customs_declaration` kind F1 uses, with the I/E flag (digit 9 of
the number) at 1; the importer's USCC owns them. Every other scenario still refuses import
declarations (`Scenario.check_export`); F3 alone refuses exports.

Caps (financing/caps, F3Caps): a declaration backs at most `advance_ratio` of its value,
and only while its import date (the kind's `export_date` field, the date of the movement
across the border) is at most `max_declaration_age_days` before the financing's date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.caps.schemas import F3Caps
from crossfin.financing.errors import ScenarioLimitExceeded
from crossfin.financing.scenarios.base import (
    Loaded,
    Request,
    Scenario,
    caps_as,
    raise_if,
    ratio_of,
)

IMPORT_FLAG = "1"


class ImportCashOnDelivery(Scenario):
    name = "F3"
    title = "Import cash-on-delivery financing"
    kinds = frozenset({"customs_declaration"})

    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        errors = self.check_kinds(docs, self.kinds)
        if not docs:
            errors.append(FieldError("documents", "name at least one import declaration"))
        raise_if(errors)
        raise_if(self.check_owner(request, docs) + self.check_import(docs))
        self._check_age(request, docs)
        shares = self.allocate(request, docs)
        return [
            Claim(d.document, "declaration", share) for d, share in zip(docs, shares, strict=True)
        ]

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        return ratio_of(claim.document.value_minor, caps_as(request, F3Caps).advance_ratio)

    def fits(self, kinds: Sequence[str]) -> bool:
        # An F7 offer on declarations cannot tell imports from exports by kind: it opens F1.
        return False

    @staticmethod
    def check_import(docs: Sequence[Loaded]) -> list[FieldError]:
        """Declarations must be imports (I/E flag, digit 9 of the number, is 1)."""
        return [
            FieldError(d.field, f"{d.label} is an export declaration")
            for d in docs
            if d.document.key[8] != IMPORT_FLAG
        ]

    @staticmethod
    def _check_age(request: Request, docs: Sequence[Loaded]) -> None:
        limit = caps_as(request, F3Caps).max_declaration_age_days
        for d in docs:
            imported = date.fromisoformat(d.content["export_date"])
            age = (request.today - imported).days
            if age > limit:
                raise ScenarioLimitExceeded(
                    f"{d.label} was imported on {imported}, {age} days ago; F3 accepts "
                    f"declarations at most {limit} days old",
                    field=f"{d.field}.export_date",
                    document={"kind": d.document.kind, "key": d.document.key},
                    limit_days=limit,
                )
