"""Record parsing and manifests (record digests: tests/ledger_perf/test_canonical_fast_path.py)."""

from __future__ import annotations

import base64

import pytest

from crossfin.documents import records


@pytest.mark.parametrize("text", ["[1]", '{"a": 1, "a": 2}', '{"a": NaN}', '{"a": 1'])
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
    for text, where in [
        ("crossfin.batch/v2\nk\nb\n1\n" + root + "\n", "line 1"),
        ("crossfin.batch/v1\nk\nb b\n1\n" + root + "\n", "line 3"),
        ("crossfin.batch/v1\nk\nb\n1000001\n" + root + "\n", "line 4"),
        ("crossfin.batch/v1\nk\nb\n01\n" + root + "\n", "line 4"),
        ("crossfin.batch/v1\nk\nb\n1\nAAAA\n", "line 5"),
    ]:
        with pytest.raises(ValueError, match=where):
            records.parse_manifest_text(text)


def test_a_csv_cell_over_the_field_size_limit_is_an_unreadable_record() -> None:
    # csv refuses a cell over 131072 characters with csv.Error, which was a 500.
    long_cell = "x" * 200_000
    with pytest.raises(records.RecordError) as refused:
        list(records.iter_csv(f"a,b\n1,2\n3,{long_cell}\n"))
    assert refused.value.line == 1 and "field larger than field limit" in refused.value.reason
    with pytest.raises(records.RecordError) as in_header:
        list(records.iter_csv(f"a,{long_cell}\n1,2\n"))
    assert in_header.value.line == 0
