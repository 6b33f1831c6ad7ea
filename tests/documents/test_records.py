"""Record digests (RFC 8785 fast path agrees with rfc8785), record parsing, manifests."""

from __future__ import annotations

import base64

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from crossfin.documents import records

JSON = st.recursive(
    st.none() | st.booleans() | st.text() | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                   max_size=4),
    max_leaves=20)


@given(JSON)
def test_jcs_equals_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(ValueError):
            records.jcs(value)
        return
    assert records.jcs(value) == expected


def test_non_ascii_member_names_sort_as_utf16() -> None:
    value = {"\U0001f600": 1, "\uff61": 2, "a": "é"}
    assert records.jcs(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("text", ['[1]', '{"a": 1, "a": 2}', '{"a": NaN}', '{"a": 1'])
def test_unreadable_records(text: str) -> None:
    with pytest.raises(records.RecordError):
        list(records.iter_jsonl(text + "\n"))


def test_blank_lines_are_not_records_and_csv_rows_are_string_objects() -> None:
    assert len(list(records.iter_jsonl('{"a": "1"}\n\n  \n{"b": "2"}\n'))) == 2
    rows = list(records.iter_csv('a,b\n1,\n"x,y",2\n'))
    assert rows == [{"a": "1", "b": ""}, {"a": "x,y", "b": "2"}]
    with pytest.raises(records.RecordError):
        list(records.iter_csv("a,b\n1,2,3\n"))


def test_manifest_round_trip_and_errors() -> None:
    manifest = records.Manifest("vat_invoice", "b.1:x", 12, bytes(range(32)))
    assert records.parse_manifest_text(manifest.text()) == manifest
    root = base64.b64encode(bytes(32)).decode()
    for text, where in [("crossfin.batch/v2\nk\nb\n1\n" + root + "\n", "line 1"),
                        ("crossfin.batch/v1\nk\nb b\n1\n" + root + "\n", "line 3"),
                        ("crossfin.batch/v1\nk\nb\n1000001\n" + root + "\n", "line 4"),
                        ("crossfin.batch/v1\nk\nb\n01\n" + root + "\n", "line 4"),
                        ("crossfin.batch/v1\nk\nb\n1\nAAAA\n", "line 5")]:
        with pytest.raises(ValueError, match=where):
            records.parse_manifest_text(text)
