"""The json fast paths of canonical_json and jcs write exactly what the rfc8785 package writes."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum
from types import MappingProxyType
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crossfin.core import canonical
from crossfin.core.canonical import canonical_json, jcs, jcs_value, utc_text

SAFE = 2**53 - 1
MANY = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters where the two serialisers could part: controls and the escapes, DEL, the
# separators JavaScript once refused, the BMP's top (U+E000..U+FFFF) against characters
# beyond it (the UTF-16 vs code point order), and anything else.
TRICKY = [
    "\x00",
    "\x01",
    "\x08",
    "\t",
    "\n",
    "\x0b",
    "\x0c",
    "\r",
    "\x1f",
    " ",
    '"',
    "\\",
    "/",
    "\x7f",
    "\x80",
    "\u2028",
    "\u2029",
    "\ud7ff",
    "\ue000",
    "\uf8ff",
    "\ufeff",
    "\uffff",
    "\U00010000",
    "\U0001f600",
    "\U0010ffff",
    "a",
    "A",
    "0",
    "é",
    "中",
]
no_surrogates = st.one_of(
    st.characters(exclude_categories=["Cs"]),
    st.characters(min_codepoint=0, max_codepoint=0x7F),
    st.characters(min_codepoint=0xE000, max_codepoint=0xFFFF),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF),
    st.sampled_from(TRICKY),
)
any_char = st.one_of(no_surrogates, st.characters(categories=["Cs"]))
ints = st.one_of(st.integers(-SAFE, SAFE), st.sampled_from([0, 1, -1, SAFE, -SAFE]))
# Short names over a small alphabet collide on prefixes, so that ordering is tested.
order_names = st.text(
    st.sampled_from(
        ["a", "b", "\x00", "\x7f", "\ud7ff", "\ue000", "\uffff", "\U00010000", "\U0010ffff", "é"]
    ),
    max_size=4,
)


def json_values(chars: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Arbitrary nested JSON values as jcs_value leaves them (no floats, safe integers)."""
    text = st.text(chars, max_size=12)
    names = st.one_of(text, order_names)
    scalars = st.one_of(st.none(), st.booleans(), ints, text)
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5), st.dictionaries(names, inner, max_size=6)
        ),
        max_leaves=40,
    )


def outcome(fn: Callable[[], bytes]) -> bytes | type[BaseException]:
    """The bytes, or the type of the exception raised."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the very point is to compare failures
        return type(exc)


@MANY
@given(json_values(no_surrogates))
def test_equal_to_rfc8785_on_json_values(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@MANY
@given(
    st.dictionaries(order_names, ints, max_size=12),
    st.dictionaries(st.text(no_surrogates, max_size=6), st.none(), max_size=12),
)
def test_member_order_is_utf16_order(short: dict[str, int], wide: dict[str, None]) -> None:
    values: list[Any] = [short, wide, {"x": [short, wide]}]
    for value in values:
        assert canonical_json(value) == rfc8785.dumps(value)


@MANY
@given(json_values(any_char))
def test_lone_surrogates_fail_as_rfc8785_fails(value: Any) -> None:
    assert outcome(lambda: canonical_json(value)) == outcome(lambda: rfc8785.dumps(value))


class Colour(Enum):
    RED = "red"
    NESTED = {"\U00010000": 1, "\ue000": 2}  # noqa: RUF012 - an Enum's value, not a field


class Level(IntEnum):
    HIGH = 2**60


class Kind(StrEnum):
    A = "a\u2028"


class OddName(str):
    def __str__(self) -> str:
        return "renamed"


python_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(no_surrogates, max_size=8),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(places=2, max_value=10**6),
    st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
        )
    ),
    st.dates(),
    st.binary(max_size=8),
    st.sampled_from(list(Colour) + list(Level) + list(Kind)),
    st.floats(allow_nan=False),
    st.just(OddName("odd")),
)
python_names = st.one_of(
    st.text(no_surrogates, max_size=6),
    order_names,
    st.integers(),
    st.sampled_from([True, None, Kind.A, Colour.RED, OddName("k")]),
)


@MANY
@given(
    st.recursive(
        python_scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.lists(inner, max_size=4).map(tuple),
            st.frozensets(st.one_of(st.integers(), st.text(max_size=4)), max_size=4),
            st.dictionaries(python_names, inner, max_size=5),
            st.dictionaries(python_names, inner, max_size=3).map(OrderedDict),
            st.dictionaries(python_names, inner, max_size=3).map(MappingProxyType),
        ),
        max_leaves=25,
    )
)
def test_python_values_convert_as_jcs_value_says(value: Any) -> None:
    expected = outcome(lambda: rfc8785.dumps(jcs_value(value)))
    assert outcome(lambda: canonical_json(value)) == expected


@pytest.mark.parametrize(
    "value",
    [
        "".join(chr(c) for c in range(0x20)) + '"\\/\x7f\u2028\u2029\ufeff\uffff\U0010ffff',
        {"\ue000": 1, "\U00010000": 2},  # JCS: U+10000 (D800 DC00) first
        {"\uffff": 1, "\U0010ffff": 2, "\ud7ff": 3, "": 4},
        {"a\U00010000": 1, "a\ue000": 2, "a": 3},
        [SAFE, -SAFE, 2**53, -(2**53), 0, -0],  # +-2**53 become strings
        {"": {}, "a": [], "b": [[]], "c": [{}], "d": None, "e": True, "f": False},
        {2: "int name", True: "bool name", None: "null name"},  # names become str(k)
        {Kind.A: 1, OddName("k"): 2, Colour.RED: 3},
        {
            "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8))),
            "day": date(2026, 1, 2),
            "amount": Decimal("1E+3"),
            "raw": b"\x00\xff",
        },
        {"set": {3, 1, 2}, "tuple": (1, "a"), "enum": Colour.NESTED, "big": Level.HIGH},
    ],
)
def test_targeted_values(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(jcs_value(value))


@pytest.mark.parametrize(
    "value",
    [
        "\ud800",
        {"\udfff": 1},
        {"a": "\ud83d"},
        {"\ud800": 1, "a": 2},
        1.5,
        {"x": float("nan")},
        object(),
        {"a": [1, {2, 3.0}]},
    ],
)
def test_refusals_match(value: Any) -> None:
    expected = outcome(lambda: rfc8785.dumps(jcs_value(value)))
    assert isinstance(expected, type)
    assert outcome(lambda: canonical_json(value)) is expected


def test_records_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: Any) -> bytes:
        raise AssertionError("rfc8785 used")

    record: dict[str, Any] = {
        "actor": {"label": "svc", "org": 7, "principal": None},
        "subjects": {"org": 73},
        "type": "parties:org:add",
        "v": 1,
        "name": "广州 \u2028 \x00",
    }
    expected = rfc8785.dumps(record)
    monkeypatch.setattr(canonical.rfc8785, "dumps", refuse)
    assert canonical_json(record) == expected


def test_non_bmp_names_take_the_rfc8785_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = rfc8785.dumps

    def spy(value: Any) -> bytes:
        calls.append(value)
        return real(value)

    monkeypatch.setattr(canonical.rfc8785, "dumps", spy)
    assert canonical_json({"x": {"\U0001f600": 1, "\uff01": 2}}) == '{"x":{"😀":1,"！":2}}'.encode()
    assert len(calls) == 1


def test_orjson_is_in_use_and_agrees_with_the_json_module() -> None:
    assert canonical._encode is not canonical._json_bytes  # the probe passed
    value = {"b": [1, None, True, "\x00é\U0001f600\x7f"], "a": {"z": -SAFE}}
    assert canonical._encode(value) == canonical._json_bytes(value)


@MANY
@given(json_values(no_surrogates))
def test_orjson_writes_what_the_json_module_writes(value: Any) -> None:
    assert canonical._encode(value) == canonical._json_bytes(value)


@given(json_values(no_surrogates))
@settings(max_examples=300, deadline=None)
def test_digest_is_sha256_of_the_rfc8785_bytes(value: Any) -> None:
    import hashlib

    assert (
        canonical.content_digest(value)
        == "sha256:" + hashlib.sha256(rfc8785.dumps(value)).hexdigest()
    )


def reference_utc_text(moment: datetime) -> str:
    """utc_text as first written: strftime after conversion to UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@MANY
@given(
    st.datetimes(
        timezones=st.one_of(
            st.just(UTC),
            st.builds(
                timezone,
                st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)),
            ),
        )
    )
)
@example(datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC))
@example(datetime(1000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))
@example(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))  # no microseconds: still written
def test_utc_text_equals_strftime(moment: datetime) -> None:
    expected = outcome(lambda: reference_utc_text(moment).encode())
    assert outcome(lambda: utc_text(moment).encode()) == expected


def test_utc_text_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc_text(datetime(2026, 1, 1))


# jcs: JSON values as parsed (records as sources send them, verification claims): floats and
# integers beyond 2**53 stay as they are, for rfc8785 to write or refuse.
parsed_json = st.recursive(
    st.none()
    | st.booleans()
    | st.text()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(st.one_of(parsed_json, json_values(any_char)))
@settings(max_examples=500, deadline=None)
def test_jcs_equals_rfc8785_or_refuses_as_it_does(value: Any) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(ValueError, match="cannot be put in RFC 8785 form"):
            jcs(value)
        return
    except UnicodeEncodeError:  # a lone surrogate in a member name
        with pytest.raises(UnicodeEncodeError):
            jcs(value)
        return
    assert jcs(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\uff61": 2, "a": "é"},
        {"é": 'a"b\\c\n\t\u0001\u2028', "a": ["x", "y"], "\U0001f600": 1, "\uffff": True},
        {"amount": 1.5, "tiny": 5e-324, "n": 2**53 - 1, "e": 1e21},
    ],
)
def test_jcs_targeted_values(value: Any) -> None:
    assert jcs(value) == rfc8785.dumps(value)


def test_jcs_takes_the_fast_path_on_plain_records(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: Any) -> bytes:
        raise AssertionError("rfc8785 used")

    record = {
        "declaration_no": "531620260000000001",
        "containers": ["CSQU3054383"],
        "total": 125000,
        "名": "广州 \u2028 \x00",
        "paid": False,
        "note": None,
    }
    expected = rfc8785.dumps(record)
    monkeypatch.setattr(canonical.rfc8785, "dumps", refuse)
    assert jcs(record) == expected


def test_jcs_converts_nothing() -> None:
    with pytest.raises(ValueError, match="cannot be put in RFC 8785 form"):
        jcs({"n": 2**60})
    assert jcs([2**53 - 1, 0.5]) == b"[9007199254740991,0.5]"


def test_record_bytes_parse_back_to_the_same_canonical_form() -> None:
    value = {"b": "\x1f\u2028", "a": [1, -2, {"\ue000": None}]}
    data = canonical_json(value)
    assert rfc8785.dumps(json.loads(data)) == data
