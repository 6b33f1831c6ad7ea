"""Pure parts of verification: field comparison."""

from __future__ import annotations

import pytest

from crossfin.documents.access.claims_io import read_claims
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


def test_a_claims_csv_cell_over_the_field_size_limit_is_a_value_error() -> None:
    # The portal's upload and the CLI catch ValueError; csv.Error was a 500 in the portal.
    rows = ["kind,key,total_value\n", f"customs_declaration,{'9' * 200_000},1.00\n"]
    with pytest.raises(ValueError, match="field larger than field limit"):
        list(read_claims(rows, "csv"))
