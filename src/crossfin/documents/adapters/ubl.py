"""UBL 2.1 Invoice XML -> a `vat_invoice` record (as a tax source would send it).

The mapping (docs/documents.md has the table): invoice number cbc:ID, issue date
cbc:IssueDate, currency cbc:DocumentCurrencyCode, amount LegalMonetaryTotal/
TaxExclusiveAmount, tax cac:TaxTotal/cbc:TaxAmount (document level), seller and buyer
USCC from each party's PartyTaxScheme/CompanyID (else PartyLegalEntity/CompanyID).
The adapter only maps: `vat_invoice` validation then refuses what is not a Chinese VAT
invoice (a non-CNY currency, a number or tax id of the wrong shape).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import ParseError, fromstring

from crossfin.documents.adapters import AdapterError

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
INVOICE_TAG = f"{{{NS['inv']}}}Invoice"
DEFAULT_CATEGORY = "goods"
_PARTIES = {
    "seller_uscc": "cac:AccountingSupplierParty",
    "buyer_uscc": "cac:AccountingCustomerParty",
}
_TAX_IDS = (
    "cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
    "cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
)


@dataclass(frozen=True)
class UblInvoice:
    """A UBL 2.x Invoice parsed once: the vat_invoice mapping and fingerprints read it."""

    root: Element

    def find(self, path: str, node: Element | None = None) -> Element | None:
        """The first element at `path` (prefixes cbc, cac) below `node`, or the root."""
        return (self.root if node is None else node).find(path, NS)

    def text(self, path: str, node: Element | None = None) -> str | None:
        """That element's text, stripped; None when it is absent or blank."""
        found = self.find(path, node)
        if found is None or found.text is None or not found.text.strip():
            return None
        return found.text.strip()


def parse_invoice(xml: bytes | str) -> UblInvoice:
    """Parse safely (no DTDs, entities or external references) and check the root."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, ValueError, LookupError) as exc:
        # defusedxml's refusals are ValueErrors; so is text the parser cannot encode, and
        # an unknown encoding in the XML declaration is a LookupError.
        raise AdapterError("document", f"not acceptable XML: {exc}") from None
    if root.tag != INVOICE_TAG:
        raise AdapterError("document", f"the root element is {root.tag}, not a UBL Invoice")
    return UblInvoice(root)


def ubl_to_vat_invoice(xml: bytes | str, category: str = DEFAULT_CATEGORY) -> dict[str, Any]:
    """The vat_invoice record of a UBL 2.1 invoice; absent elements are left out."""
    invoice = parse_invoice(xml)
    version = invoice.text("cbc:UBLVersionID")
    if version is not None and not version.startswith("2."):
        raise AdapterError("cbc:UBLVersionID", f"UBL {version} is not UBL 2.x")
    record: dict[str, Any] = {
        "invoice_no": invoice.text("cbc:ID"),
        "currency": invoice.text("cbc:DocumentCurrencyCode"),
        "amount": invoice.text("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
        "tax_amount": invoice.text("cac:TaxTotal/cbc:TaxAmount"),
        "issue_date": invoice.text("cbc:IssueDate"),
        "category": category,
    }
    for field, party_path in _PARTIES.items():
        party = invoice.find(party_path)
        if party is not None:
            record[field] = next((v for p in _TAX_IDS if (v := invoice.text(p, party))), None)
    _check_amount_currencies(invoice, record.get("currency"))
    return {k: v for k, v in record.items() if v is not None}


def _check_amount_currencies(invoice: UblInvoice, currency: str | None) -> None:
    """Refuse totals stated in another currency than the document's."""
    for path in ("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "cac:TaxTotal/cbc:TaxAmount"):
        node = invoice.find(path)
        stated = node.get("currencyID") if node is not None else None
        if stated and currency and stated != currency:
            raise AdapterError(path, f"in {stated}, the invoice is in {currency}")
