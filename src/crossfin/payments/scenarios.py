"""Payment scenarios as plug-ins: the documents each takes and how it checks them.

P3 (freight FX payment, 海运费外汇支付便利化) is the one built: each document is a VAT
invoice of category `freight` whose buyer is the payer, proven by the claim (the claim
names the value fields and they match: `verification.proves`), and tagged single use
(单次使用): the payment uses the whole invoice amount, once, whatever bank asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crossfin.core.errors import FieldError, invalid
from crossfin.documents.access.verification import mismatched_fields, proves
from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.models import Document
from crossfin.parties.gates import Treatment
from crossfin.parties.models import Organization


@dataclass(frozen=True)
class PaymentScenario:
    name: str
    title: str
    kinds: frozenset[str]

    def check(
        self,
        field: str,
        spec: KindSpec,
        doc: Document,
        stored: dict[str, Any],
        claimed: dict[str, Any],
        payer: Organization,
        treatment: Treatment,
    ) -> list[FieldError]:
        """Why this document cannot back this payment (empty when it can)."""
        raise NotImplementedError

    def used_minor(self, doc: Document) -> int:
        """What the payment uses of the document's balance."""
        raise NotImplementedError


class FreightP3(PaymentScenario):
    def check(
        self,
        field: str,
        spec: KindSpec,
        doc: Document,
        stored: dict[str, Any],
        claimed: dict[str, Any],
        payer: Organization,
        treatment: Treatment,
    ) -> list[FieldError]:
        if stored.get("category") != "freight":
            return [FieldError(field, f"{doc.kind} {doc.key} is not a freight invoice")]
        if stored.get("buyer_uscc") != payer.uscc:
            return [FieldError(field, f"the payer is not the buyer on {doc.kind} {doc.key}")]
        if not proves(spec, claimed, stored):
            named = ", ".join(spec.value_fields)
            wrong = mismatched_fields(spec, claimed, stored)
            reason = f"does not match the tax record ({', '.join(wrong)})" if wrong else ""
            return [FieldError(field, reason or f"the claim must name {named}")]
        if treatment is Treatment.CHECKED:
            # Full documents: a class-B payer's bank claims every field of the invoice.
            missing = sorted((spec.required_fields - {spec.key_field}) - claimed.keys())
            if missing:
                return [FieldError(f"{field}.fields", f"full documents: name {', '.join(missing)}")]
        return []

    def used_minor(self, doc: Document) -> int:
        return doc.value_minor  # single use: the whole invoice, amount plus tax


_SCENARIOS = {
    "P3": FreightP3("P3", "Freight FX payment", frozenset({"vat_invoice"})),
}


def get_scenario(name: str) -> PaymentScenario:
    """The scenario called `name`; 422 on `scenario` for one not (yet) offered."""
    try:
        return _SCENARIOS[name]
    except KeyError:
        raise invalid("scenario", f"payments offer {', '.join(_SCENARIOS)}") from None


def all_scenarios() -> list[PaymentScenario]:
    return list(_SCENARIOS.values())
