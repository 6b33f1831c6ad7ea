"""Payment scenarios as plug-ins: the documents each takes and how it checks them.

P3 (freight FX payment, 海运费外汇支付便利化) is the one built: each document is a VAT
invoice of category `freight` whose buyer is the payer, proven by the claim (the claim
names the value fields and they match: `verification.proves`), and tagged single use
(单次使用): the payment uses the whole invoice amount, once, whatever bank asks.

P2 (service-trade outward payment, tax-filing check) takes at most one `tax_filing`, found
by its serial number AND verification code for its payer (anything else answers exactly
as a missing serial), and uses what it pays (converted into the filing's currency) of the
filing's contract amount: one filing, several payments (`payments/filings.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from crossfin.core.errors import CrossfinError, FieldError, invalid
from crossfin.documents.access.verification import mismatched_fields, proves
from crossfin.documents.docref import DocRef
from crossfin.documents.kinds.base import KindSpec
from crossfin.documents.models import Document
from crossfin.parties.gates import Treatment
from crossfin.parties.models import Organization
from crossfin.payments.errors import AlreadyUsed, FilingExhausted, UsedAttempt
from crossfin.payments.schemas import InvoiceClaimIn


@dataclass(frozen=True)
class PaymentScenario(ABC):
    name: str
    title: str
    kinds: frozenset[str]
    min_documents: int = 1
    max_documents: int = 100
    # P3 uses each document whole; P2 uses what it pays (`filings.size_claims`).
    uses_amount_paid: bool = False
    # Cumulative: a payment uses what it needs of each document, in the order named, up to
    # what is left of it (partial uses); else it uses `used_minor` (P3: the whole invoice).
    cumulative: bool = False
    # The payment names its source of funds (P1).
    funded: bool = False

    @abstractmethod
    def check(
        self,
        field: str,
        spec: KindSpec,
        doc: Document | DocRef,
        stored: dict[str, Any],
        claimed: dict[str, Any],
        payer: Organization,
        treatment: Treatment,
    ) -> list[FieldError]:
        """Why this document cannot back this payment (empty when it can)."""

    @abstractmethod
    def used_minor(self, doc: Document | DocRef) -> int:
        """What the payment uses of the document's balance."""

    def missing(self, field: str, item: InvoiceClaimIn) -> FieldError:
        """Why a document named by the payment is not on the platform."""
        return FieldError(field, f"no {item.kind} {item.key} on the platform")

    def short(self, attempt: UsedAttempt) -> CrossfinError:
        """The refusal when the locked balances cannot carry the payment."""
        return AlreadyUsed(attempt)


class FreightP3(PaymentScenario):
    def check(
        self,
        field: str,
        spec: KindSpec,
        doc: Document | DocRef,
        stored: dict[str, Any],
        claimed: dict[str, Any],
        payer: Organization,
        treatment: Treatment,
    ) -> list[FieldError]:
        if stored.get("category") != "freight":
            return [FieldError(field, f"{doc.kind} {doc.key} is not a freight invoice")]
        wrong_invoice = _invoice_of_payer(field, spec, doc, stored, claimed, payer)
        if wrong_invoice:
            return wrong_invoice
        if treatment is Treatment.CHECKED:
            # Full documents: a class-B payer's bank claims every field of the invoice.
            missing = sorted((spec.required_fields - {spec.key_field}) - claimed.keys())
            if missing:
                return [FieldError(f"{field}.fields", f"full documents: name {', '.join(missing)}")]
        return []

    def used_minor(self, doc: Document | DocRef) -> int:
        return doc.value_minor  # single use: the whole invoice, amount plus tax


def _invoice_of_payer(
    field: str,
    spec: KindSpec,
    doc: Document | DocRef,
    stored: dict[str, Any],
    claimed: dict[str, Any],
    payer: Organization,
) -> list[FieldError]:
    """A VAT invoice backs a payment (P3, P1) only if the payer is its buyer and the claim
    proves it as verification would (`verification.proves`)."""
    if stored.get("buyer_uscc") != payer.uscc:
        return [FieldError(field, f"the payer is not the buyer on {doc.kind} {doc.key}")]
    if not proves(spec, claimed, stored):
        named = ", ".join(spec.value_fields)
        wrong = mismatched_fields(spec, claimed, stored)
        reason = f"does not match the tax record ({', '.join(wrong)})" if wrong else ""
        return [FieldError(field, reason or f"the claim must name {named}")]
    return []


# A wrong verification code, or a payer not the filing's, answers as a missing serial:
# the answer never says whether the serial exists.
FILING_NOT_FOUND = "no tax filing with this serial number and verification code for this payer"


class ServiceP2(PaymentScenario):
    def check(
        self,
        field: str,
        spec: KindSpec,
        doc: Document | DocRef,
        stored: dict[str, Any],
        claimed: dict[str, Any],
        payer: Organization,
        treatment: Treatment,
    ) -> list[FieldError]:
        code = str(claimed.get("verification_code", "")).strip().upper()
        if not code:
            return [_code_required(field)]
        if code != stored.get("verification_code") or stored.get("payer_uscc") != payer.uscc:
            return [FieldError(field, FILING_NOT_FOUND)]
        return []

    def used_minor(self, doc: Document | DocRef) -> int:
        return 0  # sized by what is paid, once converted (`filings.size_claims`)

    def missing(self, field: str, item: InvoiceClaimIn) -> FieldError:
        if not str(item.fields.get("verification_code", "")).strip():
            return _code_required(field)
        return FieldError(field, FILING_NOT_FOUND)

    def short(self, attempt: UsedAttempt) -> CrossfinError:
        return FilingExhausted(attempt)


def _code_required(field: str) -> FieldError:
    return FieldError(
        f"{field}.fields.verification_code",
        "required: a tax filing is found by its serial number and verification code",
    )


class CapitalIncomeP1(PaymentScenario):
    """P1 (资本项目收入支付便利化): a class-A enterprise pays out of capital-account income
    (capital, foreign debt or overseas listing proceeds) against VAT invoices of any
    category whose buyer it is, proven by the claim; each invoice's amount (amount plus
    tax) is used cumulatively, in parts, never beyond it."""

    def check(
        self,
        field: str,
        spec: KindSpec,
        doc: Document | DocRef,
        stored: dict[str, Any],
        claimed: dict[str, Any],
        payer: Organization,
        treatment: Treatment,
    ) -> list[FieldError]:
        return _invoice_of_payer(field, spec, doc, stored, claimed, payer)

    def used_minor(self, doc: Document | DocRef) -> int:
        return doc.value_minor  # at most; `service.reserve` takes what the payment needs


_SCENARIOS: dict[str, PaymentScenario] = {
    "P1": CapitalIncomeP1(
        "P1",
        "Capital-account income payment",
        frozenset({"vat_invoice"}),
        cumulative=True,
        funded=True,
    ),
    "P2": ServiceP2(
        "P2",
        "Service-trade outward payment",
        frozenset({"tax_filing"}),
        min_documents=0,
        max_documents=1,
        uses_amount_paid=True,
    ),
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
