"""Pure parts of verification: the fast canonical form and field comparison."""

from __future__ import annotations

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from crossfin.documents.access.verification import jcs, mismatched_fields
from crossfin.documents.kinds.registry import get_kind

values = st.one_of(st.text(), st.booleans(), st.none(),
                   st.integers(min_value=-2**60, max_value=2**60),
                   st.lists(st.text(), max_size=3),
                   st.floats(allow_nan=False, allow_infinity=False),
                   st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2))


@given(st.dictionaries(st.text(max_size=8), values, max_size=6))
def test_fast_form_is_rfc8785(obj: dict) -> None:
    try:
        expected = rfc8785.dumps(obj)
    except Exception:  # noqa: BLE001  (rfc8785 refuses lone surrogates and huge ints: so may we)
        return
    assert jcs(obj) == expected


def test_fast_form_handles_escapes_and_ordering() -> None:
    obj = {"é": "a\"b\\c\n\t\u0001\u2028", "a": ["x", "y"], "\U0001f600": 1, "\uffff": True}
    assert jcs(obj) == rfc8785.dumps(obj)


STORED = {"declaration_no": "531620260000000001", "currency": "USD",
          "total_value": "125000.00", "export_date": "2026-03-02", "buyer_country": "DE",
          "containers": []}


def test_comparison_normalises_before_comparing() -> None:
    spec = get_kind("customs_declaration")
    assert mismatched_fields(spec, {"total_value": "125000", "currency": " usd ",
                                    "buyer_country": "de"}, STORED) == []
    assert mismatched_fields(spec, {"total_value": "125000.5"}, STORED) == ["total_value"]
    assert mismatched_fields(spec, {"export_date": "2026/03/02", "bill_no": "X1"},
                             STORED) == ["bill_no", "export_date"]
