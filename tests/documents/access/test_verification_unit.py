"""Pure parts of verification: field comparison."""

from __future__ import annotations

from crossfin.documents.access.verification import mismatched_fields
from crossfin.documents.kinds.registry import get_kind

STORED = {
    "declaration_no": "531620260000000001",
    "currency": "USD",
    "total_value": "125000.00",
    "export_date": "2026-03-02",
    "buyer_country": "DE",
    "containers": [],
}


def test_comparison_normalises_before_comparing() -> None:
    spec = get_kind("customs_declaration")
    assert (
        mismatched_fields(
            spec, {"total_value": "125000", "currency": " usd ", "buyer_country": "de"}, STORED
        )
        == []
    )
    assert mismatched_fields(spec, {"total_value": "125000.5"}, STORED) == ["total_value"]
    assert mismatched_fields(spec, {"export_date": "2026/03/02", "bill_no": "X1"}, STORED) == [
        "bill_no",
        "export_date",
    ]
