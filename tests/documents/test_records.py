"""Record parsing and manifests (record digests: tests/ledger_perf/test_canonical_fast_path.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _reference(text: str) -> object:
    """What parse_json_record answered before its orjson fast path: json with the hooks."""
    if records.depth(text) > records.MAX_DEPTH:
        raise ValueError(f"nested more than {records.MAX_DEPTH} levels deep")
    obj = json.loads(
        text, object_pairs_hook=records._unique_pairs, parse_constant=records._no_constants
    )
    if not isinstance(obj, dict):
        raise ValueError("a record must be a JSON object")
    return obj


def _outcome(parse: Callable[[str], object], text: str) -> tuple[str, object]:
    try:
        value = parse(text)
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)
    # repr tells 1 from 1.0 and True from 1, and keeps the member order.
    return "ok", repr(value)


# Where orjson and json part: repeated names (at any depth), integers beyond 64 bits,
# floats, lone surrogate escapes, NaN and Infinity, a BOM, escaped quotes and backslashes
# next to colons, and nesting at and beyond the limit.
PARSER_CASES = [
    '{"a":"1"}',
    '{"a":1,"a":2}',
    '{"a":{"b":1,"b":1}}',
    '{"a":[{"b":1},{"c":2,"c":3}]}',
    '{"a":"x:y","b":"\\":","c\\\\":"\\\\"}',
    '{"a\\":b":1,"a\\":b":2}',
    '{"a":18446744073709551616}',
    '{"a":9223372036854775808,"b":-9223372036854775809}',
    '{"a":1.5}',
    '{"a":1e400}',
    '{"a":-0.0}',
    '{"a":NaN}',
    '{"a":-Infinity}',
    '{"a":"\\ud800"}',
    '{"a":"\\udfff\\ud800"}',
    '{"a":"\\ud83d\\ude00","\\u00e9":"\\u0000"}',
    '\ufeff{"a":1}',
    ' {"a":true,"b":null,"c":[]}\r',
    '{"a":"\x1f"}',
    '{"a":1',
    "[1]",
    '"a"',
    "",
    '{"a":' + "[" * 63 + "]" * 63 + "}",
    '{"a":' + "[" * 64 + "]" * 64 + "}",
    '{"a":"' + "[" * 100 + '"}',
]


@pytest.mark.parametrize("text", PARSER_CASES)
def test_fast_parse_answers_what_json_with_the_hooks_answers(text: str) -> None:
    assert _outcome(records.parse_json_record, text) == _outcome(_reference, text)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.sampled_from(['"', "\\", ":", "a", "é", "\x00", "\U0001f600"]))
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(st.tuples(st.sampled_from(["a", "b", ":", '"', "\\"]), inner), max_size=4)
    ),
    max_leaves=12,
)


def _text(value: object) -> str:
    """JSON text of `value`, where a list of pairs is an object (so names may repeat)."""
    if isinstance(value, list) and all(isinstance(p, tuple) for p in value) and value:
        members = ",".join(f"{json.dumps(k)}:{_text(v)}" for k, v in value)
        return "{" + members + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(v) for v in value) + "]"
    return json.dumps(value)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c:", '"']), _VALUES), max_size=5))
def test_fast_parse_agrees_with_json_on_generated_records(members: list[object]) -> None:
    text = "{" + ",".join(f"{json.dumps(k)}:{_text(v)}" for k, v in members) + "}"
    assert _outcome(records.parse_json_record, text) == _outcome(_reference, text)
