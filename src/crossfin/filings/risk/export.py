"""A stored risk report as a document for regulators: JSON, or XML valid against the XSD.

Both come from one plain tree (`document`), so the JSON and the XML cannot carry different
values: the XML writer only renames keys to elements. Codes are written, not labels;
amounts as decimal text with exactly their currency's ISO 4217 decimals.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from crossfin.core.money import format_amount
from crossfin.filings.risk.schema import (
    Enterprise,
    RiskReportStored,
    SubjectStored,
    TransactionStored,
)
from crossfin.ledger.journal import Receipt

NAMESPACE = "urn:crossfin:risk-report:1"


@dataclass(frozen=True)
class ReportMeta:
    """What the workflow knows of a report: its reference, filer, state, receipt and dates."""

    reference: str
    filer_org_id: int
    filer_name: str
    state: str
    created_at: datetime
    submitted_at: datetime | None = None
    acknowledged_at: datetime | None = None
    regulator_receipt_number: str | None = None
    closed_at: datetime | None = None
    deadline_on: date | None = None
    receipt: Receipt | None = None  # of the latest ledger event on the report


def _instant(moment: datetime | None) -> str | None:
    """UTC with a Z: the XSD requires a time zone on every instant."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("report dates must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _header(meta: ReportMeta) -> dict[str, Any]:
    receipt = meta.receipt
    return {
        "reference": meta.reference,
        "filer": {"org_id": meta.filer_org_id, "name": meta.filer_name},
        "state": meta.state,
        "created_at": _instant(meta.created_at),
        "submitted_at": _instant(meta.submitted_at),
        "acknowledged_at": _instant(meta.acknowledged_at),
        "regulator_receipt_number": meta.regulator_receipt_number,
        "closed_at": _instant(meta.closed_at),
        "deadline_on": meta.deadline_on.isoformat() if meta.deadline_on else None,
        "receipt": receipt.as_dict() if receipt else None,
    }


def _subject(subject: SubjectStored) -> dict[str, Any]:
    if isinstance(subject, Enterprise):
        return {"kind": "enterprise", "name": subject.name, "uscc": subject.uscc}
    return {
        "kind": "individual",
        "name": subject.name,
        "nationality": subject.nationality,
        "id_type": str(subject.id_type),
        "id_hash": subject.id_hash,
        "id_last4": subject.id_last4,
    }


def _transaction(tx: TransactionStored) -> dict[str, Any]:
    return {
        "date": tx.date.isoformat(),
        "amount": format_amount(tx.amount_minor, tx.currency),
        "currency": tx.currency,
        "counterparty": {"name": tx.counterparty.name, "country": tx.counterparty.country},
        "channel": str(tx.channel),
    }


def document(stored: RiskReportStored, meta: ReportMeta) -> dict[str, Any]:
    """The export tree, in the XSD's element order; absent optional values are None."""
    return {
        "schema": NAMESPACE,
        "header": _header(meta),
        "category": str(stored.category),
        "category_detail": stored.category_detail,
        "discovered_on": stored.discovered_on.isoformat(),
        "branch": {"name": stored.branch.name, "bic": stored.branch.bic},
        "contact": {
            "name": stored.contact.name,
            "phone": stored.contact.phone,
            "email": stored.contact.email,
        },
        "subjects": [_subject(s) for s in stored.subjects],
        "transactions": [_transaction(t) for t in stored.transactions],
        "narrative": stored.narrative,
        "links": [{"kind": str(link.kind), "id": link.id} for link in stored.links],
    }


def to_json(stored: RiskReportStored, meta: ReportMeta) -> dict[str, Any]:
    """The report as JSON-ready values (absent optional values left out, as in the XML)."""
    tree: dict[str, Any] = _without_none(document(stored, meta))
    return tree


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


# Keys whose element name is not the key in CamelCase, and list items' element names.
_NAMES = {"bic": "BIC", "uscc": "USCC", "org_id": "OrgId", "id": "Id"}
_ITEMS = {"transactions": "Transaction", "links": "Link"}


def _element_name(key: str) -> str:
    return _NAMES.get(key) or "".join(part.capitalize() for part in key.split("_"))


def _append(parent: ET.Element, key: str, value: Any) -> None:
    if value is None:
        return
    child = ET.SubElement(parent, f"{{{NAMESPACE}}}{_element_name(key)}")
    if isinstance(value, dict):
        for sub_key, sub_value in value.items():
            _append(child, sub_key, sub_value)
    elif isinstance(value, list):
        for item in value:
            # A subject's element says its kind; its other fields follow.
            name = _ITEMS.get(key) or _element_name(item["kind"])
            fields = item if key in _ITEMS else {k: v for k, v in item.items() if k != "kind"}
            _append_item(child, name, fields)
    else:
        child.text = str(value)


def _append_item(parent: ET.Element, name: str, fields: dict[str, Any]) -> None:
    item = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    for key, value in fields.items():
        _append(item, key, value)


def to_xml(stored: RiskReportStored, meta: ReportMeta) -> bytes:
    """The report as UTF-8 XML in the `urn:crossfin:risk-report:1` namespace."""
    tree = document(stored, meta)
    # The namespace's last part is the version: no attribute (ElementTree's default
    # namespace cannot be combined with unqualified attributes anyway).
    root = ET.Element(f"{{{NAMESPACE}}}RiskReport")
    for key, value in tree.items():
        if key != "schema" and value != []:  # no links: no empty <Links/>
            _append(root, key, value)
    ET.indent(root)
    data: bytes = ET.tostring(
        root, encoding="utf-8", xml_declaration=True, default_namespace=NAMESPACE
    )
    return data
