"""F4 export credit-insurance policy financing.

The policy and the declarations shipped under it are verified together. The loan rests on
the policy (its value is the buyer credit limit, shared by every financing on it) and on
each declaration: at most the advance ratio of each declaration's value, which is the
policy's own `coverage_ratio` capped by the configured `max_advance_ratio` (F4Caps). The
policy must be valid today, the shipments dated within it, and the due date (when given)
at most `max_tenor_days` after the financing's date. The insurer that issued the policy
sees the financing, and may record a claim paid on the policy (financing/insurance/).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from crossfin.core.errors import FieldError
from crossfin.documents.balance import Claim
from crossfin.financing.caps.schemas import F4Caps
from crossfin.financing.errors import ScenarioLimitExceeded
from crossfin.financing.scenarios.base import (
    Loaded,
    Request,
    Scenario,
    caps_as,
    raise_if,
    ratio_of,
)

POLICY, DECLARATION = "insurance_policy", "customs_declaration"


class PolicyFinancing(Scenario):
    name = "F4"
    title = "Export credit-insurance policy financing"
    kinds = frozenset({POLICY, DECLARATION})

    def plan(self, request: Request, docs: Sequence[Loaded]) -> list[Claim]:
        raise_if(self.check_kinds(docs, self.kinds))
        policies = [d for d in docs if d.document.kind == POLICY]
        declarations = [d for d in docs if d.document.kind == DECLARATION]
        if len(policies) != 1 or not declarations:
            raise_if(
                [
                    FieldError(
                        "documents",
                        "name one insurance policy and the export declarations shipped under it",
                    )
                ]
            )
        policy = policies[0]
        raise_if(
            self.check_owner(request, docs)
            + self.check_export(declarations)
            + self._under_policy(policy, declarations)
        )
        self._check_validity(policy, declarations, request.today)
        self._check_tenor(request)
        if policy.amount_minor is not None:
            raise_if(
                [
                    FieldError(
                        policy.field,
                        "the policy carries the whole loan: give amounts on the declarations only",
                    )
                ]
            )
        shares = self.allocate(request, declarations)
        claims = [Claim(policy.document, "policy", request.amount_minor)]
        claims += [
            Claim(d.document, "declaration", s) for d, s in zip(declarations, shares, strict=True)
        ]
        return claims

    def usable_minor(self, claim: Claim, request: Request, docs: Sequence[Loaded]) -> int | None:
        if claim.role == "declaration":
            policy = next(d for d in docs if d.document.kind == POLICY)
            return ratio_of(claim.document.value_minor, self.advance_ratio(request, policy))
        return claim.document.value_minor

    @staticmethod
    def advance_ratio(request: Request, policy: Loaded) -> Decimal:
        """The policy's coverage ratio, never above the configured maximum."""
        covered = Decimal(policy.content["coverage_ratio"])
        return min(covered, caps_as(request, F4Caps).max_advance_ratio)

    @staticmethod
    def _check_tenor(request: Request) -> None:
        if request.due_date is None:
            return  # checked again when the due date is given at disbursement
        limit = caps_as(request, F4Caps).max_tenor_days
        tenor = (request.due_date - request.today).days
        if tenor > limit:
            raise ScenarioLimitExceeded(
                f"due date {request.due_date} is {tenor} days away; F4 allows at most {limit} days",
                field="due_date",
                limit_days=limit,
            )

    def watchers(self, docs: Sequence[Loaded]) -> set[int]:
        return {d.document.source_org_id for d in docs if d.document.kind == POLICY}

    def fits(self, kinds: Sequence[str]) -> bool:
        return POLICY in kinds and set(kinds) <= self.kinds

    @staticmethod
    def _under_policy(policy: Loaded, declarations: Sequence[Loaded]) -> list[FieldError]:
        listed = set(policy.content.get("declarations") or [])
        return [
            FieldError(d.field, f"{d.label} is not declared under policy {policy.document.key}")
            for d in declarations
            if d.document.key not in listed
        ]

    @staticmethod
    def _check_validity(policy: Loaded, declarations: Sequence[Loaded], today: date) -> None:
        start = date.fromisoformat(policy.content["valid_from"])
        end = date.fromisoformat(policy.content["valid_to"])
        if not start <= today <= end:
            raise ScenarioLimitExceeded(
                f"policy {policy.document.key} is valid from {start} to {end}, not today",
                document={"kind": POLICY, "key": policy.document.key},
            )
        for d in declarations:
            shipped = date.fromisoformat(d.content["export_date"])
            if not start <= shipped <= end:
                raise ScenarioLimitExceeded(
                    f"{d.label} was shipped on {shipped}, outside the policy's validity",
                    document={"kind": DECLARATION, "key": d.document.key},
                )
