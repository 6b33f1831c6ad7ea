"""The portal's risk-report form as a bank's report: named inputs, repeated rows.

Rows are numbered inputs (`subject_kind_0`, `tx_amount_1`, ...); a row left blank is
skipped, so a page offers a few rows and the bank fills what it needs. The result goes
through the same `drafting.create_filing` as the API's (checked and hashed there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SUBJECT_ROWS = 3
TRANSACTION_ROWS = 3
LINK_ROWS = 2
RISK_FORM = "RISK-REPORT"


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _subject(fields: Mapping[str, Any], i: int) -> dict[str, Any] | None:
    kind, name = _text(fields, f"subject_kind_{i}"), _text(fields, f"subject_name_{i}")
    if not name:
        return None
    if kind == "enterprise":
        return {"kind": kind, "name": name, "uscc": _text(fields, f"subject_uscc_{i}").upper()}
    return {
        "kind": "individual",
        "name": name,
        "nationality": _text(fields, f"subject_nationality_{i}").upper(),
        "id_type": _text(fields, f"subject_id_type_{i}"),
        "id_number": _text(fields, f"subject_id_number_{i}"),
    }


def _transaction(fields: Mapping[str, Any], i: int) -> dict[str, Any] | None:
    if not _text(fields, f"tx_amount_{i}"):
        return None
    return {
        "date": _text(fields, f"tx_date_{i}"),
        "amount": _text(fields, f"tx_amount_{i}"),
        "currency": _text(fields, f"tx_currency_{i}").upper(),
        "counterparty": {
            "name": _text(fields, f"tx_counterparty_{i}"),
            "country": _text(fields, f"tx_country_{i}").upper(),
        },
        "channel": _text(fields, f"tx_channel_{i}"),
    }


def _link(fields: Mapping[str, Any], i: int) -> dict[str, Any] | None:
    record = _text(fields, f"link_id_{i}")
    if not record:
        return None
    return {
        "kind": _text(fields, f"link_kind_{i}"),
        "id": int(record) if record.isdigit() else record,
    }


def _optional(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


def report_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The report a bank filled in, in the API's input shape (blank optional fields left out)."""
    subjects = [s for i in range(SUBJECT_ROWS) if (s := _subject(fields, i))]
    txs = [t for i in range(TRANSACTION_ROWS) if (t := _transaction(fields, i))]
    links = [link for i in range(LINK_ROWS) if (link := _link(fields, i))]
    report: dict[str, Any] = {
        "category": _text(fields, "category"),
        "discovered_on": _text(fields, "discovered_on"),
        "subjects": subjects,
        "transactions": txs,
        "narrative": _text(fields, "narrative"),
        "links": links,
        "branch": {"name": _text(fields, "branch_name")}
        | _optional(bic=_text(fields, "branch_bic").upper()),
        "contact": {"name": _text(fields, "contact_name"), "phone": _text(fields, "contact_phone")}
        | _optional(email=_text(fields, "contact_email")),
    }
    detail = _text(fields, "category_detail")
    return report | ({"category_detail": detail} if detail else {})
