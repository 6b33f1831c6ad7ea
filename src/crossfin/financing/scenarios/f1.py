"""F1 export receivables financing: export declarations of the applicant, each carrying an
allocated share of the loan within its remaining balance."""

from __future__ import annotations

from collections.abc import Sequence

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.scenarios.base import Loaded, Request, Scenario, raise_if


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
        shares = self.allocate(request, docs)
        return [
            Claim(d.document, "declaration", share) for d, share in zip(docs, shares, strict=True)
        ]
