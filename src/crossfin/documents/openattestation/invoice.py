"""A TradeTrust invoice's key fields, as a private fingerprint reads a paper.

The TradeTrust invoice template (`$template.name` INVOICE) carries `id`, `date`,
`billFrom.name`, `billTo.company.name` (or `billTo.name`) and `total`, but no currency:
the caller names it when the document does not (`currency` in the data wins and must agree).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from crossfin.core.errors import FieldError, ValidationFailed, invalid
from crossfin.documents.access.fingerprint_norm import PaperFields
from crossfin.documents.openattestation.salt import text_of

# Fingerprint field -> the JSON Pointers it may come from, first found wins.
SOURCES: dict[str, tuple[str, ...]] = {
    "number": ("/data/id",),
    "issue_date": ("/data/date",),
    "seller": ("/data/billFrom/name",),
    "buyer": ("/data/billTo/company/name", "/data/billTo/name"),
    "amount": ("/data/total",),
}


def _at(data: dict[str, Any], pointer: str) -> str | None:
    node: Any = data
    for part in pointer.split("/")[2:]:
        node = node.get(part) if isinstance(node, dict) else None
    text = text_of(node)
    return text.strip() if text and text.strip() else None


def _currency(data: dict[str, Any], given: str | None) -> str:
    written = _at(data, "/data/currency")
    if written and given and written.upper() != given.strip().upper():
        raise invalid("currency", f"the document says {written[:3]!r}")
    currency = written or (given.strip() if given else None)
    if not currency:
        raise invalid("/data/currency", "the invoice names no currency: give one")
    return currency.upper()


def paper_fields(data: dict[str, Any], currency: str | None = None) -> PaperFields:
    """The fingerprint fields of a TradeTrust invoice; 422 naming each one missing."""
    values = {k: next(filter(None, (_at(data, p) for p in ps)), None) for k, ps in SOURCES.items()}
    missing = [
        FieldError(SOURCES[k][0], "missing or not a salted string/number")
        for k, v in values.items()
        if v is None
    ]
    if missing:
        raise ValidationFailed(missing)
    try:
        issued = date.fromisoformat((values["issue_date"] or "")[:10])
    except ValueError:
        raise invalid("/data/date", "not an ISO date") from None
    return PaperFields(
        document_type="commercial_invoice",
        number=values["number"] or "",
        seller=values["seller"] or "",
        buyer=values["buyer"] or "",
        amount=values["amount"] or "",
        currency=_currency(data, currency),
        issue_date=issued,
    )
