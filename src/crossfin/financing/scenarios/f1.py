"""F1 export receivables financing: export declarations of the applicant, each carrying an
allocated share of the loan within its remaining balance.

Caps (financing/caps, F1Caps): a declaration backs at most `advance_ratio` of its value,
and only while its export date is at most `max_declaration_age_days` before the
financing's date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.caps.schemas import F1Caps
from crossfin.financing.errors import ScenarioLimitExceeded
from crossfin.financing.scenarios.base import (
    Loaded,
    Request,
    Scenario,
    caps_as,
    raise_if,
    ratio_of,
)


class ExportReceivables(Scenario):
    name = "F1"
    title = "Export receivables financing"
    kinds = frozenset({"customs_declaration"})

    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        errors = self.check_kinds(docs, self.kinds)
        if not docs:
            errors.append(FieldError("documents", "name at least one export declaration"))
        raise_if(errors)
        raise_if(self.check_owner(request, docs) + self.check_export(docs))
        self._check_age(request, docs)
        shares = self.allocate(request, docs)
        return [
            Claim(d.document, "declaration", share) for d, share in zip(docs, shares, strict=True)
        ]

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        return ratio_of(claim.document.value_minor, caps_as(request, F1Caps).advance_ratio)

    @staticmethod
    def _check_age(request: Request, docs: Sequence[Loaded]) -> None:
        limit = caps_as(request, F1Caps).max_declaration_age_days
        for d in docs:
            shipped = date.fromisoformat(d.content["export_date"])
            age = (request.today - shipped).days
            if age > limit:
                raise ScenarioLimitExceeded(
                    f"{d.label} was exported on {shipped}, {age} days ago; F1 accepts "
                    f"declarations at most {limit} days old",
                    field=f"{d.field}.export_date",
                    document={"kind": d.document.kind, "key": d.document.key},
                    limit_days=limit,
                )
