"""Canonical JSON (RFC 8785): the one implementation, for ledger records, digests, records
as sources send them and verification leaves.

`canonical_json` takes Python values and converts them first (`jcs_value`: Decimal, dates,
large integers become strings); `jcs` takes a JSON value as parsed, floats included, and
converts nothing. Both have two paths giving the same bytes. The fast one is `orjson` with
sorted keys (or, should it differ on a probe, the standard `json` module's encoder with sorted
keys, compact separators and UTF-8: the two write the same bytes), used only on values where
its output is provably RFC 8785's, i.e. after `jcs_value` has turned everything into
strings, booleans, null, lists, objects and integers within +/-(2**53 - 1):

* integers in that range: both write the plain decimal digits (JCS writes an IEEE double as
  ECMAScript does, which for such integers is exactly those digits);
* strings: both escape exactly `"`, `\\` and U+0000..U+001F (as `\\b \\t \\n \\f \\r`, the rest
  as `\\u00xx` in lower case) and write every other character as itself in UTF-8. A lone
  surrogate fails the UTF-8 encoding, and the value goes to `rfc8785`, which refuses it;
* object members: JCS orders names by UTF-16 code units, `json` by code points and `orjson`
  by UTF-8 bytes, which is the same order. The two
  orders agree on names made of characters below U+D800 or in U+E000..U+FFFF (one code
  unit each, equal to the code point); a name holding a surrogate or a character beyond
  U+FFFF sends the whole value to `rfc8785`.

Everything else (floats, integers beyond +/-(2**53 - 1) in `jcs`, such member names) goes to
`rfc8785`. tests/ledger/test_canonical_fast_path.py checks the equality with
`rfc8785.dumps` on generated values.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import rfc8785

# JCS numbers are IEEE doubles: integers beyond 2**53 would lose precision, so they travel
# as strings, like Decimal amounts.
_SAFE_INT = 2**53

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)


def _json_bytes(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def _fast_encoder() -> Callable[[Any], bytes]:
    """orjson with sorted keys, checked once against the json module on a probe value.

    orjson writes the same bytes as `json` (sorted keys, compact, UTF-8, the same escapes)
    on the values that reach it, ten times faster: a ledger record costs about half a
    microsecond instead of five, and a 10,000-payment upload encodes some 40,000 of them.
    Where it is missing or writes anything else, the json module's encoder is used.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - a declared dependency
        return _json_bytes
    probe = {"b": [1, None, True], "a": '\x00\x1f\x7f\u2028é中\\"', "é": {"z": -5, "y": ""}}

    def dumps(value: Any) -> bytes:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)

    return dumps if dumps(probe) == _json_bytes(probe) else _json_bytes


_encode = _fast_encoder()
# Member-name characters on which code-point order and UTF-16 order may disagree.
_UNORDERED = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")


def jcs_value(obj: Any) -> Any:
    """Turn Python values into JSON values that JCS carries exactly."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Enum):
        return jcs_value(obj.value)
    if isinstance(obj, int):
        return obj if -_SAFE_INT < obj < _SAFE_INT else str(obj)
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, float):
        raise TypeError("floats are not allowed in canonical records; use Decimal")
    if isinstance(obj, datetime):
        return utc_text(obj)
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, bytes):
        return obj.hex()
    if isinstance(obj, Mapping):
        return {str(k): jcs_value(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [jcs_value(v) for v in obj]
        return sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items
    raise TypeError(f"cannot put {type(obj).__name__} in a canonical record")


class _Unordered(Exception):
    """A member name on which json's key order may differ from RFC 8785's."""


def _plain(obj: Any) -> Any:
    """`jcs_value(obj)`, raising _Unordered at a member name `json` might misplace.

    The exact built-in types come first, without isinstance chains: records are made of them.
    """
    kind = type(obj)
    if kind is str or obj is None or kind is bool:
        return obj
    if kind is int:
        return obj if -_SAFE_INT < obj < _SAFE_INT else str(obj)
    if kind is dict:
        return _plain_members(obj)
    if kind is list:
        return [v if type(v) is str else _plain(v) for v in obj]
    return _plain_other(obj)


def _plain_members(obj: Mapping[Any, Any]) -> dict[str, Any]:
    out = {}
    for key, value in obj.items():
        if type(key) is not str:
            key = str(key)
        if not key.isascii() and _UNORDERED.search(key):
            raise _Unordered
        out[key] = value if type(value) is str else _plain(value)
    return out


def _plain_other(obj: Any) -> Any:
    """The rest of `jcs_value`, in its order, recursing through `_plain`."""
    if isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, Enum):
        return _plain(obj.value)
    if isinstance(obj, (int, Decimal, float, datetime, date, bytes)):
        return jcs_value(obj)  # a scalar: str, int or an error, exactly as jcs_value says
    if isinstance(obj, Mapping):
        return _plain_members(obj)
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in obj]
        return sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items
    raise TypeError(f"cannot put {type(obj).__name__} in a canonical record")


def _is_plain(obj: Any) -> bool:
    """True when `obj` already is what `_plain` would return: then no copy is needed.

    Records and digested contents are usually such trees of built-in types.
    """
    kind = type(obj)
    if kind is dict:
        for key, value in obj.items():
            if type(key) is not str or (not key.isascii() and _UNORDERED.search(key)):
                return False
            # Scalars inline, without a call each: most members of a record are.
            vkind = type(value)
            if vkind is str or value is None or vkind is bool:
                continue
            if vkind is int:
                if not -_SAFE_INT < value < _SAFE_INT:
                    return False
            elif not _is_plain(value):
                return False
        return True
    if kind is int:
        number: int = obj
        return -_SAFE_INT < number < _SAFE_INT
    if kind is list:
        for value in obj:  # noqa: SIM110  (a plain loop: this is the hot path)
            if type(value) is not str and not _is_plain(value):
                return False
        return True
    return kind is str or kind is bool or obj is None


def canonical_json(obj: Any) -> bytes:
    """RFC 8785 bytes of `obj` after `jcs_value` conversion."""
    try:
        value = obj if _is_plain(obj) else _plain(obj)
    except _Unordered:
        return rfc8785.dumps(jcs_value(obj))
    try:
        return _encode(value)
    except (TypeError, UnicodeEncodeError):
        # rfc8785 orders these names correctly, and refuses lone surrogates.
        return rfc8785.dumps(jcs_value(obj))


def jcs(obj: Any) -> bytes:
    """RFC 8785 bytes of a JSON value as parsed (no conversion; floats go to `rfc8785`).

    ValueError for what JCS cannot carry: integers beyond 2**53, NaN, lone surrogates.
    """
    try:
        if _is_plain(obj):
            return _encode(obj)
    except (TypeError, UnicodeEncodeError):  # a lone surrogate: let rfc8785 refuse it
        pass
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"cannot be put in RFC 8785 form: {exc}") from None


def content_digest(obj: Any) -> str:
    """`sha256:<hex>` of the canonical form of `obj`."""
    return "sha256:" + hashlib.sha256(canonical_json(obj)).hexdigest()


def utc_text(moment: datetime) -> str:
    """RFC 3339 UTC text with microseconds and a Z, e.g. 2026-01-02T03:04:05.000006Z."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if type(moment) is datetime and moment.year >= 1000:
        # Twice as fast as strftime, and the same text followed by "+00:00" (glibc's
        # strftime would write a year below 1000 without its leading zeros).
        return moment.isoformat(timespec="microseconds")[:-6] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
